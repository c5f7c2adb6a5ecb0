"""Service desk at scale: the staff request list at 1,000 and 100,000
requests (time and query count; the count must not grow with the rows).

Builds a throw-away SQLite database under var/bench-service-desk, loads the
demo data, then bulk-inserts requests for one centre."""

from datetime import timedelta

from common import measure, setup

setup("service-desk")

from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from portal.models import User
from tenants.models import Centre, ServiceRequest, Tenant

CATEGORIES = ["repair", "complaint", "enquiry", "suggestion", "emergency"]
STATUSES = ["new", "in_progress", "closed"]


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
