"""Operations: health checks, Prometheus metrics, error reporting and request
ids (issue 17). Star-imported at the end of base.py; production.py switches
the log lines to JSON."""

import ipaddress

from django.core.exceptions import ImproperlyConfigured

from .env import env_int, env_list, env_str

__all__ = [
    "ATRIUM_METRICS_ALLOWED_IPS", "ATRIUM_HEALTH_WORKER_TIMEOUT", "LOG_REQUEST_ID_HEADER",
    "GENERATE_REQUEST_ID_IF_NOT_IN_HEADER", "REQUEST_ID_RESPONSE_HEADER", "SENTRY_DSN", "json_logging",
    "ALLAUTH_TRUSTED_PROXY_COUNT",
]

# How many proxies in front of Atrium append the client to X-Forwarded-For
# (nginx with $proxy_add_x_forwarded_for: 1). With 0 the header is ignored and
# REMOTE_ADDR is the client — right only when browsers reach gunicorn directly.
# Behind a proxy and left at 0, every tenant has the proxy's address: the login
# rate limits count the whole mall as one person, and receipts and the audit
# log record the proxy instead of the signer (portal/audit.py: client_ip).
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("ATRIUM_TRUSTED_PROXY_COUNT", 0)

# Who may read /metrics: addresses or networks (CIDR). Anyone else gets a 404,
# and so does any request that came through a proxy (portal/operations/metrics.py).
ATRIUM_METRICS_ALLOWED_IPS = env_list("ATRIUM_METRICS_ALLOWED_IPS", ["127.0.0.1", "::1"])
for _net in ATRIUM_METRICS_ALLOWED_IPS:
    try:
        ipaddress.ip_network(_net, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"ATRIUM_METRICS_ALLOWED_IPS: {_net!r} is not an IP address or network (e.g. 10.0.0.0/8)."
        ) from None
# Seconds /health/workers/ waits for a Celery worker to answer its ping.
ATRIUM_HEALTH_WORKER_TIMEOUT = env_int("ATRIUM_HEALTH_WORKER_TIMEOUT", 2)

# Every request gets an id (the load balancer's X-Request-ID when it sends a
# well-formed one), in its log lines and in the response's X-Request-ID
# header, so that a person's report can be found in the logs
# (django-log-request-id, portal/operations/request_id.py).
LOG_REQUEST_ID_HEADER = "HTTP_X_REQUEST_ID"
GENERATE_REQUEST_ID_IF_NOT_IN_HEADER = True
REQUEST_ID_RESPONSE_HEADER = "X-Request-ID"

# Error reporting: only when SENTRY_DSN is set. No personal data is sent
# (send_default_pii off): tenants' names and IPs stay in Atrium.
SENTRY_DSN = env_str("SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        environment=env_str("SENTRY_ENVIRONMENT", "production"),
        send_default_pii=False,
        traces_sample_rate=env_int("SENTRY_TRACES_PER_MILLE", 0) / 1000,
    )


def json_logging(logging_config: dict) -> dict:
    """The same LOGGING, one JSON object per line with the request id: what a
    log collector parses without a pattern of its own."""
    logging_config.setdefault("filters", {})["request_id"] = {"()": "log_request_id.filters.RequestIDFilter"}
    logging_config["formatters"]["json"] = {
        "()": "pythonjsonlogger.json.JsonFormatter",
        "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
        "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
    }
    logging_config["handlers"]["console"].update(formatter="json", filters=["request_id"])
    return logging_config
