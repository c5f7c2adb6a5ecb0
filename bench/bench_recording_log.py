"""The recording archive log at a year's size: its screen (one page, time and
queries) and its complete XLSX export, at 10,000 holds (an operator of twenty
centres, each holding ~500 calls of unfinished cases a year: the realistic
year) and, with BENCH_FULL, 50,000. The export must stay under ~2 s in the
request.

Builds a throw-away database (SQLite unless BENCH_DATABASE_URL), loads the
demo data, then bulk-inserts recordings and holds for the manager's centres."""

import time
from datetime import timedelta

from common import full, measure, report, setup

setup("recording-log")

from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from portal.models import User
from tenants.models import CallRecording, RecordingHold, ServiceRequest


def add_holds(requests, by, target):
    have = RecordingHold.objects.count()
    now = timezone.now()
    for start in range(have, target, 5000):
        size = min(5000, target - start)
        recs = CallRecording.objects.bulk_create([
            CallRecording(request=requests[(start + i) % len(requests)], original_name="call.wav", size=8000,
                          sha256=f"{start + i:064x}", recorded_at=now - timedelta(minutes=start + i),
                          uploaded_by=by, file=f"recordings/bench/{start + i}.wav")
            for i in range(size)
        ])
        RecordingHold.objects.bulk_create([
            RecordingHold(recording=rec, reason="投诉未结案，录音作为协商证据保留。", held_by=by,
                          keep_until=(now + timedelta(days=90)).date(), held_at=now - timedelta(minutes=n),
                          released_at=now if n % 3 == 0 else None, released_by=by if n % 6 == 0 else None,
                          release_note="已结案" if n % 3 == 0 else "")
            for n, rec in enumerate(recs, start=start)
        ])


def main():
    call_command("migrate", verbosity=0)
    call_command("seed_demo", quiet=True)
    manager = User.objects.get(email="manager@atrium.demo")
    client = Client()
    client.force_login(manager)
    requests = list(ServiceRequest.objects.all())
    url = "/admin/recordings/log/"
    for target in (10_000, 50_000) if full() else (10_000,):
        add_holds(requests, manager, target)
        n = RecordingHold.objects.count()
        ms, queries = measure(client, url + "?p=2")
        report(f"recording_log_page_{n}_holds", ms, "ms")
        report(f"recording_log_page_{n}_holds_queries", queries, "queries")
        start = time.perf_counter()
        response = client.get(url + "?format=xlsx")
        assert response.status_code == 200
        report(f"recording_log_export_{n}_holds", (time.perf_counter() - start) * 1000, "ms")
        report(f"recording_log_export_{n}_holds_size", len(response.content) / 1024, "KiB")


if __name__ == "__main__":
    main()
