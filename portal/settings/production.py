"""Production: HTTPS only, secrets from the environment, no defaults that
could leak into a live deployment."""

from django.core.exceptions import ImproperlyConfigured

from .base import *

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY", required=True)
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("dev-only"):
    raise ImproperlyConfigured("Environment variable SECRET_KEY must be a random string of at least 50 characters.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Environment variable ALLOWED_HOSTS is required in production (comma-separated host names).")
WAGTAILADMIN_BASE_URL = env_str("WAGTAILADMIN_BASE_URL", required=True)

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
ATRIUM_STAFF_MFA_REQUIRED = env_bool("ATRIUM_STAFF_MFA_REQUIRED", True)
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}
# Evidence outside the database (issue 11): a key of its own, and the anchor file.
if len(ATRIUM_AUDIT_KEY) < 32 or ATRIUM_AUDIT_KEY == SECRET_KEY:
    raise ImproperlyConfigured(
        "Environment variable ATRIUM_AUDIT_KEY is required in production: a random string of at least 32 "
        "characters, different from SECRET_KEY, kept outside the database and the backups."
    )
if ATRIUM_AUDIT_ANCHOR_DIR is None:
    raise ImproperlyConfigured("Environment variable ATRIUM_AUDIT_ANCHOR_DIR must name a folder in production.")
# One JSON object per log line, with the request id (portal/settings/operations.py).
LOGGING = json_logging(LOGGING)
# A load balancer and Prometheus poll over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^health/", r"^metrics$"]
