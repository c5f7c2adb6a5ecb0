"""Service desk at scale: the staff request list at 1,000 and 100,000
requests (time and query count; the count must not grow with the rows).

Builds a throw-away SQLite database under var/bench-service-desk, loads the
demo data, then bulk-inserts requests for one centre."""

import os
import shutil
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
VAR = ROOT / "var" / "bench-service-desk"
shutil.rmtree(VAR, ignore_errors=True)
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
        "ATRIUM_VAR_DIR": str(VAR),
        "DATABASE_URL": f"sqlite:///{VAR / 'bench.sqlite3'}",
        "ALLOWED_HOSTS": "testserver",
        "DEBUG": "0",
        "LOG_LEVEL": "ERROR",
        "EMAIL_BACKEND": "file",
    }
)
os.environ.pop("CELERY_BROKER_URL", None)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from portal.models import User  # noqa: E402
from tenants.models import Centre, ServiceRequest, Tenant  # noqa: E402

CATEGORIES = ["repair", "complaint", "enquiry", "suggestion", "emergency"]
STATUSES = ["new", "in_progress", "closed"]


def measure(client, url, params=None, runs=7):
    client.get(url, params)  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url, params)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as ctx:
        client.get(url, params)
    return statistics.median(times) * 1000, len(ctx.captured_queries)


def add_requests(centre, users, target):
    tenants = list(Tenant.objects.filter(centre=centre).values_list("pk", flat=True))
    have = ServiceRequest.objects.filter(centre=centre).count()
    now = timezone.now()
    batch = []
    for i in range(have, target):
        created = now - timedelta(minutes=i)
        status = STATUSES[i % 3]
        batch.append(ServiceRequest(
            centre=centre, number=f"BENCH-{i:07d}", tenant_id=tenants[i % len(tenants)], channel="hotline",
            category=CATEGORIES[i % 5], subject=f"测试诉求{i}", description="空调不制冷，请尽快处理。",
            status=status, created_at=created, response_due=created + timedelta(hours=24),
            responded_at=created + timedelta(hours=2) if status != "new" else None,
            closed_at=created + timedelta(hours=30) if status == "closed" else None,
            assignee=users[i % len(users)],
        ))
        if len(batch) == 5000:
            ServiceRequest.objects.bulk_create(batch)
            batch = []
    ServiceRequest.objects.bulk_create(batch)


def main():
    call_command("migrate", verbosity=0)
    call_command("seed_demo", quiet=True)
    ops = User.objects.get(email="ops@a.atrium.demo")
    client = Client()
    client.force_login(ops)
    centre = Centre.objects.get(code="BJ")
    users = list(User.objects.filter(memberships__centre=centre))
    url = "/admin/snippets/tenants/servicerequest/"
    for target in (1_000, 100_000):
        add_requests(centre, users, target)
        n = ServiceRequest.objects.filter(centre=centre).count()
        ms, queries = measure(client, url)
        print(f"staff_request_list_{n}_requests: {ms:.1f} ms")
        print(f"staff_request_list_{n}_requests_queries: {queries} queries")
        ms, queries = measure(client, url, {"status": "new", "category": "complaint"})
        print(f"staff_request_list_filtered_{n}_requests: {ms:.1f} ms")
        print(f"staff_request_list_filtered_{n}_requests_queries: {queries} queries")


if __name__ == "__main__":
    main()
