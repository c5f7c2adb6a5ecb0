"""Fire-safety round at the demo centre's size (124 shops): recording a form,
the round's table in the admin (time and query count — the count must not
grow with the shops), the monthly status, and the report PDF.

Builds a throw-away installation under var/bench-fire (see common.py) and loads the demo
data (40 forms recorded), then records the remaining shops."""

import statistics
import time
from datetime import timedelta

from common import measure, median_ms, reset_database, setup

setup("fire")

from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notices.fire.models import InspectionRound
from notices.fire.selectors import month_start, monthly_status, round_tenants
from notices.fire.services.inspections import ItemAnswer, form_record
from notices.fire.services.report import render_report_pdf
from portal.models import User


def main():
    reset_database()
    call_command("seed_demo", quiet=True)
    round_ = InspectionRound.objects.get(centre__code="BJ", month=month_start())
    ops = User.objects.get(email="ops@a.atrium.demo")
    items = list(round_.centre.fire_checklist.filter(active=True))
    todo = list(round_tenants(round_).exclude(fire_forms__round=round_))
    deadline = timezone.localdate() + timedelta(days=7)
    times = []
    for n, tenant in enumerate(todo):
        answers = [ItemAnswer(item_id=i.pk, passed=not (n % 10 == 0 and k == 0), note="" if k else "通道堆物")
                   for k, i in enumerate(items)]
        start = time.perf_counter()
        form_record(actor=ops, round_=round_, tenant=tenant, answers=answers, deadline=deadline)
        times.append(time.perf_counter() - start)
    passed = [t for n, t in enumerate(times) if n % 10]
    failed = [t for n, t in enumerate(times) if n % 10 == 0]
    print(f"fire_form_record_passed: {statistics.median(passed) * 1000:.1f} ms")
    print(f"fire_form_record_failed_with_letter: {statistics.median(failed) * 1000:.1f} ms")

    client = Client()
    client.force_login(ops)
    url = reverse("fire_admin:round", args=[round_.pk])
    shops = round_tenants(round_).count()
    ms, queries = measure(client, url)
    print(f"fire_round_page_{shops}_shops: {ms:.1f} ms")
    print(f"fire_round_page_queries: {queries} queries")
    print(f"fire_monthly_status: {median_ms(lambda: monthly_status(round_.centre, round_.month), runs=5):.1f} ms")
    print(f"fire_report_pdf_{shops}_shops: {median_ms(lambda: render_report_pdf(round_), runs=3) / 1000:.2f} s")


if __name__ == "__main__":
    main()
