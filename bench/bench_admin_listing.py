"""Staff tenant listing in the admin: time and query count as data grows.

Builds a throw-away SQLite database under var/bench, loads the demo data,
then measures the listing and a Chinese search at the demo size and again
after adding tenants. The query count must not grow with the rows."""

import os
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
VAR = ROOT / "var" / "bench"
shutil.rmtree(VAR, ignore_errors=True)
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
        "ATRIUM_VAR_DIR": str(VAR),
        "DATABASE_URL": f"sqlite:///{VAR / 'bench.sqlite3'}",
        "ALLOWED_HOSTS": "testserver",
        "DEBUG": "0",
        "LOG_LEVEL": "ERROR",
    }
)
os.environ.pop("CELERY_BROKER_URL", None)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from portal.models import User  # noqa: E402
from tenants.models import Centre, Tenant  # noqa: E402


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


def add_tenants(centre, n):
    start = Tenant.objects.filter(centre=centre).count()
    for i in range(n):
        Tenant(centre=centre, code=f"X{start + i:06d}", trading_name=f"测试火锅{i}号店", legal_name=f"测试餐饮{i}有限公司",
               category="food", tier="3").save()


def main():
    call_command("migrate", verbosity=0)
    call_command("seed_demo", quiet=True)
    client = Client()
    client.force_login(User.objects.get(email="ops@a.atrium.demo"))
    url = "/admin/snippets/tenants/tenant/"
    centre = Centre.objects.get(code="BJ")
    for extra in (0, 2000):
        if extra:
            add_tenants(centre, extra)
        n = Tenant.objects.filter(centre=centre).count()
        ms, queries = measure(client, url)
        print(f"admin_tenant_list_{n}_tenants: {ms:.1f} ms")
        print(f"admin_tenant_list_{n}_tenants_queries: {queries} queries")
        ms, queries = measure(client, url, {"q": "火锅"})
        print(f"admin_tenant_search_{n}_tenants: {ms:.1f} ms")
        print(f"admin_tenant_search_{n}_tenants_queries: {queries} queries")


if __name__ == "__main__":
    main()
