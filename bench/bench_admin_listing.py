"""Staff tenant listing in the admin: time and query count as data grows.

Builds a throw-away SQLite database under var/bench-admin-listing, loads the demo data,
then measures the listing and a Chinese search at the demo size and again
after adding tenants. The query count must not grow with the rows."""

from common import measure, setup

setup("admin-listing")

from django.core.management import call_command
from django.test import Client

from portal.models import User
from tenants.models import Centre, Tenant


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
