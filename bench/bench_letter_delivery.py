"""Letter delivery at scale: from "stamped" to every delivery created and
every notification sent, for 1,000 and 2,000 recipient tenants, through a
real Celery worker. Prints the time, the number of Celery tasks the fan-out
used and the cost per extra recipient.

Embedded default: a throw-away SQLite database and the filesystem broker
under var/bench-letter-delivery. With BENCH_DATABASE_URL (PostgreSQL) and
BENCH_BROKER_URL (Redis) set, it runs there instead (see bench/common.py:
that database is emptied first)."""

import math
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

from common import ROOT, approve_and_stamp, reset_database, setup

VAR = setup("letter-delivery")
VAR.mkdir(parents=True, exist_ok=True)
EMBEDDED = not os.environ.get("BENCH_DATABASE_URL")

from django.conf import settings
from django.db import connection

from notices.models import Delivery, DeliveryState, Letter, LetterTemplate
from notices.pdf.seal import make_demo_certificate, make_seal_png
from portal.models import Role, StaffMembership, User
from tenants.models import Centre, Contact, Operator, Tenant

SIZES = (1_000, 2_000)


def start_worker(log_path: Path) -> subprocess.Popen:
    env = dict(os.environ)
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "celery"), "-A", "portal", "worker", "--pool=solo", "--loglevel=INFO",
         "--without-heartbeat", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=open(log_path, "w"), stderr=subprocess.STDOUT,
    )


def make_centre(n: int) -> Centre:
    suffix = uuid.uuid4().hex[:6].upper()
    operator, _ = Operator.objects.get_or_create(code="BENCHOP", defaults={"name": "基准测试运营公司"})
    centre = Centre.objects.create(operator=operator, name=f"基准广场{suffix}", code=f"BENCH{suffix}", hotline="0571-0000-0000")
    tenants = Tenant.objects.bulk_create(
        [Tenant(centre=centre, code=f"T{i:05d}", trading_name=f"商户{i}", legal_name=f"杭州商户{i}有限公司",
                category="retail", tier="3") for i in range(n)], batch_size=1000)
    Contact.objects.bulk_create(
        [Contact(tenant=t, name=f"店长{i}", email=f"t{i}@{suffix.lower()}.bench", phone=f"1380000{i:04d}", may_sign=True)
         for i, t in enumerate(tenants)], batch_size=1000)
    key, cert = make_demo_certificate(centre.name, centre.name)
    template = LetterTemplate(centre=centre, letterhead_title=centre.name, signatory_name=centre.name,
                              seal_png=make_seal_png(centre.name), seal_certificate_pem=cert.decode())
    template.set_seal_key(key)
    template.save()
    return centre


def stamped_letter(centre: Centre) -> Letter:
    """A sealed letter, stamped in this process without queuing its delivery
    (the clock starts when the delivery task is sent)."""
    people = {}
    for role in (Role.DRAFTER, Role.LEADER, Role.SEAL_KEEPER):
        user = User.objects.create_user(email=f"{role}-{centre.code.lower()}@bench.test", password=uuid.uuid4().hex)
        StaffMembership.objects.create(user=user, centre=centre, operator=centre.operator, role=role,
                                       department="safety" if role == Role.DRAFTER else "")
        people[role] = user
    letter = Letter(centre=centre, title="关于开展消防安全检查的通知", body="<p>请各商户配合检查。</p>", department="safety",
                    drafter=people[Role.DRAFTER], live=False, recipient_mode="all")
    letter.save()
    letter.save_revision(user=people[Role.DRAFTER])
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from portal.celery import app

    app.conf.task_always_eager = True  # the chain's own tasks run here; delivery is undone below
    approve_and_stamp(letter, people)
    app.conf.task_always_eager = False
    Delivery.objects.filter(letter=letter).delete()
    Letter.objects.filter(pk=letter.pk).update(delivery_state=DeliveryState.PENDING, delivered_at=None)
    return Letter.objects.get(pk=letter.pk)


_TASK = r"Task notices\.tasks\.(?:deliver_letter_task|notify_deliveries_task)\[[^\]]+\]"


def tasks_received(log_path: Path) -> int:
    return len(re.findall(_TASK + " received", log_path.read_text(errors="replace")))


def task_seconds(log_path: Path) -> float:
    """Time the worker spent inside the fan-out tasks (broker latency excluded)."""
    return sum(float(x) for x in re.findall(_TASK + r" succeeded in ([0-9.]+)s", log_path.read_text(errors="replace")))


def run(n: int, log_path: Path) -> tuple[float, int, float]:
    from notices.tasks import deliver_letter_task

    letter = stamped_letter(make_centre(n))
    before, busy_before = tasks_received(log_path), task_seconds(log_path)
    start = time.perf_counter()
    deliver_letter_task.delay(letter.pk)
    deadline = start + 300
    while time.perf_counter() < deadline:
        if Letter.objects.filter(pk=letter.pk, delivery_state=DeliveryState.DELIVERED).exists():
            break
        time.sleep(0.02)
    else:
        raise SystemExit(f"not delivered within 300 s; see {log_path}")
    elapsed = time.perf_counter() - start
    assert Delivery.objects.filter(letter=letter, notified_at__isnull=False).count() == n
    time.sleep(0.5)  # let the worker log the last task
    return elapsed, tasks_received(log_path) - before, task_seconds(log_path) - busy_before


def main():
    reset_database()
    backend = "embedded" if EMBEDDED else f"{connection.vendor}+{settings.CELERY_BROKER_URL.split(':', 1)[0]}"
    log_path = VAR / "worker.log"
    worker = start_worker(log_path)
    try:
        time.sleep(3)  # worker start-up is not part of the measurement
        run(50, log_path)  # warm-up: the worker's first tasks import and connect
        results = {}
        for n in SIZES:
            results[n] = run(n, log_path)
            seconds, tasks, busy = results[n]
            print(f"letter_delivery_{n}_tenants_{backend}: {seconds:.2f} s")
            print(f"letter_delivery_{n}_tenants_{backend}_worker_busy: {busy:.2f} s")
            print(f"letter_delivery_{n}_tenants_{backend}_celery_tasks: {tasks} tasks")
        (_, _, b1), (_, _, b2) = results[SIZES[0]], results[SIZES[1]]
        # From the worker's busy time: the wall time also holds the broker's
        # polling latency, which does not grow with the recipients.
        per = (b2 - b1) / (SIZES[1] - SIZES[0]) * 1000
        print(f"letter_delivery_cost_per_extra_recipient_{backend}: {per:.2f} ms")
        print(f"letter_delivery_expected_tasks_1000: {1 + math.ceil(1000 / settings.ATRIUM_DELIVERY_CHUNK)} tasks")
    finally:
        worker.terminate()
        worker.wait(timeout=30)


if __name__ == "__main__":
    main()
