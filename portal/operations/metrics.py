"""/metrics: Prometheus text format, for the monitoring host only.

What it holds: django-prometheus's request counters and latencies (its two
middlewares; its database and cache backends are not used — they would
replace Django's own backends for a few more counters), the Celery task
durations (portal/task_metrics.py), Atrium's letter figures read from the
database at each scrape (notices/metrics.py), and whether the holiday
calendar knows the coming year (portal/broadcasts/calendar.py).

With several processes (gunicorn workers, Celery workers), set
PROMETHEUS_MULTIPROC_DIR to one empty folder shared by all of them on the
host: each scrape then adds up every process's counters (prometheus_client's
multiprocess mode; deploy/gunicorn.conf.py cleans up after dead workers).

Only addresses in ATRIUM_METRICS_ALLOWED_IPS get an answer; everyone else,
and any request that came through a proxy (it carries X-Forwarded-For or
Forwarded: its REMOTE_ADDR is the proxy's, not the client's), gets a 404 as
if nothing were here.
"""

import ipaddress
import os

import prometheus_client
from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import CollectorRegistry, multiprocess

from notices.metrics import LetterFigures
from portal.broadcasts.calendar import HolidayCalendarFigures

_PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_FORWARDED")

# auto_describe off: registering must not run the queries.
_FIGURES = CollectorRegistry(auto_describe=False)
_FIGURES.register(LetterFigures())
_FIGURES.register(HolidayCalendarFigures())


def metrics_allowed(request) -> bool:
    if any(header in request.META for header in _PROXY_HEADERS):
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    if getattr(address, "ipv4_mapped", None):
        address = address.ipv4_mapped
    return any(address in ipaddress.ip_network(allowed, strict=False) for allowed in settings.ATRIUM_METRICS_ALLOWED_IPS)


def _process_registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return prometheus_client.REGISTRY


@require_safe
@never_cache
def metrics(request):
    if not metrics_allowed(request):
        raise Http404
    body = prometheus_client.generate_latest(_process_registry()) + prometheus_client.generate_latest(_FIGURES)
    return HttpResponse(body, content_type=prometheus_client.CONTENT_TYPE_LATEST)
