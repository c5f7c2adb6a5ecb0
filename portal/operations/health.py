"""/health/ for load balancers and monitoring (django-health-check).

`/health/` is the cheap check a load balancer polls: database, both caches,
media storage, the Celery broker and "every migration applied". It waits
for no worker, so a busy or restarting worker never takes the web servers
out of rotation. `/health/workers/` pings the Celery workers (waiting up to
ATRIUM_HEALTH_WORKER_TIMEOUT seconds) for monitoring, not for the balancer.

Both answer HTML to a browser and JSON to `Accept: application/json` or
`?format=json`; 200 when every check passed, 503 otherwise. They are public
by design (a load balancer has no login): what they show is each check's
name and OK or a short generic error — no host names, URLs or credentials.
"""

import dataclasses
import datetime
import os
import time

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _
from health_check.base import HealthCheck
from health_check.contrib.celery import Ping
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView
from kombu.exceptions import OperationalError

from portal.celery import app as celery_app

# Reading the migration files takes a moment; the answer is kept this long
# per process (a deploy migrates once, then every process sees it).
MIGRATIONS_RECHECK_SECONDS = 60
_migrations_ok_until = 0.0


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker accepts a connection (Redis answers; the embedded
    filesystem broker's folders exist and are writable)."""

    timeout = datetime.timedelta(seconds=3)

    def run(self):
        try:
            with celery_app.connection_for_write(connect_timeout=self.timeout.total_seconds()) as conn:
                conn.ensure_connection(max_retries=1, interval_start=0, timeout=self.timeout.total_seconds())
        except (OperationalError, OSError) as error:
            raise ServiceUnavailable("The broker does not accept connections") from error
        options = celery_app.conf.broker_transport_options or {}
        for key in ("data_folder_in", "data_folder_out", "control_folder"):
            folder = options.get(key)
            if folder and not os.access(folder, os.W_OK):
                raise ServiceUnavailable(f"The broker folder for {key} is not writable")


@dataclasses.dataclass
class Migrations(HealthCheck):
    """Every migration in the code is applied to the database: a web server
    running new code on an old schema fails in ways a SELECT 1 does not see."""

    alias: str = "default"

    def run(self):
        global _migrations_ok_until
        if time.monotonic() < _migrations_ok_until:
            return
        connection = connections[self.alias]
        try:
            executor = MigrationExecutor(connection)
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except DatabaseError as error:
            raise ServiceUnavailable("The migration history cannot be read") from error
        finally:
            connection.close()  # this runs in a pool thread: leave no connection behind
        if plan:
            raise ServiceUnavailable(f"{len(plan)} migration(s) not applied")
        _migrations_ok_until = time.monotonic() + MIGRATIONS_RECHECK_SECONDS


@dataclasses.dataclass
class Workers(Ping):
    """At least one Celery worker answers a ping and every queue has one."""

    app: object = dataclasses.field(default_factory=lambda: celery_app, repr=False)


def check_label(check) -> str:
    """What a person reads for a check; JSON keeps the checks' code names."""
    name = type(check).__name__
    if name == "Cache":
        return _("Page cache") if getattr(check, "alias", "") == "pages" else _("Cache")
    labels = {"Database": _("Database"), "Storage": _("File storage"), "Broker": _("Task queue"),
              "Migrations": _("Database migrations"), "Workers": _("Background workers")}
    return str(labels.get(name, name))


class _Health(HealthCheckView):
    # The library's page is English only: ours is in the reader's language
    # (the error's detail stays as the check wrote it, for the operator).
    template_name = "portal/operations/health.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = [{"label": check_label(r.check), "error": str(r.error) if r.error else "",
                            "seconds": r.time_taken} for r in self.results]
        return context

    async def dispatch(self, request, *args, **kwargs):
        response = await super().dispatch(request, *args, **kwargs)
        # The library answers a failed check with 500; a load balancer and
        # the rest of Atrium read 503 as "unavailable", 500 as "a bug".
        if response.status_code == 500:
            response.status_code = 503
        return response


class HealthView(_Health):
    checks = (
        "health_check.checks.Database",
        ("health_check.checks.Cache", {"alias": "default"}),
        ("health_check.checks.Cache", {"alias": "pages"}),
        "health_check.checks.Storage",
        Broker,
        Migrations,
    )


class WorkerHealthView(_Health):
    def get_checks(self):
        yield Workers(timeout=datetime.timedelta(seconds=settings.ATRIUM_HEALTH_WORKER_TIMEOUT), limit=1)
