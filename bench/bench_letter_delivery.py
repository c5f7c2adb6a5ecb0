"""Letter delivery at scale, from "stamped" to every delivery created and
every tenant notified (email to a local SMTP sink in another process, and a
text).

- `delivery_cpu_ms_per_recipient`: the fan-out's CPU in this process
  (time.process_time around the delivery task and its notification chunks,
  run here, eagerly) divided by the recipients: 1,000 (`make bench`) or
  10,000 (`make bench-full`). On the embedded default SQLite's own work is
  counted too; on PostgreSQL the database's is not.
- `delivery_10000_s` (on PostgreSQL + a broker only: `make bench-pg`, or
  `make bench-full` with BENCH_DATABASE_URL and BENCH_BROKER_URL set): the
  wall time from queuing the delivery of a letter to 10,000 tenants to the
  letter delivered, every tenant emailed and texted, through two real Celery
  worker processes. In the same run, 1,000 tenants the same way:
  `delivery_10000_over_1000` is the wall time per recipient at 10,000 over
  that at 1,000 (1.0: the fan-out does not slow down with its size), and
  `delivery_worker_cpu_ms_per_recipient` the two workers' CPU at 10,000 per
  recipient (the database's and the broker's not counted).

Embedded default: a throw-away SQLite database under var/bench-letter-delivery.
With BENCH_DATABASE_URL (PostgreSQL) and BENCH_BROKER_URL (Redis) set, it runs
there instead (see bench/common.py: that database is emptied first)."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

from common import ROOT, approve_and_stamp, full, report, reset_database, setup

# A mail server that accepts everything, in its own process (its CPU is not the worker's).
SINK = subprocess.Popen(
    [sys.executable, "-c", "from tests.fixtures.smtp import _Server; s = _Server(); print(s.port, flush=True); "
     "s.serve_forever()"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
VAR = setup("letter-delivery", EMAIL_BACKEND="smtp", EMAIL_HOST="127.0.0.1", EMAIL_PORT=SINK.stdout.readline().strip(),
            EMAIL_USE_TLS="0", EMAIL_HOST_USER="", EMAIL_HOST_PASSWORD="")
VAR.mkdir(parents=True, exist_ok=True)

from django.conf import settings
from django.db import connection

from notices.models import Delivery, DeliveryState, Letter, LetterTemplate
from notices.pdf.seal import make_demo_certificate, make_seal_png
from portal.models import Role, StaffMembership, User
from tenants.models import Centre, Contact, Operator, Tenant

N = 10_000 if full() else 1_000


def start_worker(log_path: Path, name: str) -> subprocess.Popen:
    env = dict(os.environ)
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "celery"), "-A", "portal", "worker", "--pool=solo", "--loglevel=INFO",
         "-n", f"{name}@%h", "--without-heartbeat", "--without-gossip", "--without-mingle"],
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


def cpu_per_recipient(n: int) -> float:
    """Milliseconds of this process's CPU per recipient for the whole fan-out,
    its tasks run here (eagerly, chunk after chunk, as one worker would)."""
    from notices.tasks import deliver_letter_task
    from portal.celery import app

    letter = stamped_letter(make_centre(n))
    app.conf.task_always_eager = True
    try:
        start = time.process_time()
        deliver_letter_task.delay(letter.pk)
        spent = time.process_time() - start
    finally:
        app.conf.task_always_eager = False
    assert Delivery.objects.filter(letter=letter, notified_at__isnull=False).count() == n
    assert Letter.objects.get(pk=letter.pk).delivery_state == DeliveryState.DELIVERED
    return spent * 1000 / n


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def end_to_end(n: int, workers: list[subprocess.Popen]) -> tuple[float, float]:
    """Wall seconds from queuing the delivery to the letter delivered, through
    the worker processes on the broker, and the CPU seconds they spent."""
    from notices.tasks import deliver_letter_task

    letter = stamped_letter(make_centre(n))
    cpu = sum(cpu_seconds(w.pid) for w in workers)
    start = time.perf_counter()
    deliver_letter_task.delay(letter.pk)
    while not Letter.objects.filter(pk=letter.pk, delivery_state=DeliveryState.DELIVERED).exists():
        if time.perf_counter() - start > 1800:
            raise SystemExit(f"not delivered within 1800 s; see {VAR}/worker*.log")
        time.sleep(0.05)
    elapsed = time.perf_counter() - start
    cpu = sum(cpu_seconds(w.pid) for w in workers) - cpu
    assert Delivery.objects.filter(letter=letter, notified_at__isnull=False).count() == n
    assert Delivery.objects.filter(letter=letter, email_sent_at__isnull=False, sms_sent_at__isnull=False).count() == n
    return elapsed, cpu


def on_the_stack() -> None:
    """10,000 tenants and, in the same run, 1,000, through two workers."""
    workers = [start_worker(VAR / f"worker{i}.log", f"bench{i}") for i in (1, 2)]
    try:
        time.sleep(10)  # worker start-up is not part of the measurement
        end_to_end(50, workers)  # warm-up: each worker's imports, templates, connections
        small, _ = end_to_end(1_000, workers)
        large, cpu = end_to_end(10_000, workers)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=60)
    report("delivery_10000_s", large, "s")
    report("delivery_1000_s", small, "s")
    report("delivery_10000_over_1000", (large / 10_000) / (small / 1_000), "x")
    report("delivery_worker_cpu_ms_per_recipient", cpu * 1000 / 10_000, "ms")


def main():
    reset_database()
    try:
        cpu_per_recipient(50)  # warm-up: imports, templates, the first connection
        report("delivery_cpu_ms_per_recipient", cpu_per_recipient(N), "ms")
        if connection.vendor == "postgresql" and os.environ.get("BENCH_BROKER_URL"):
            on_the_stack()
        else:
            print("# delivery_10000_s skipped: it needs PostgreSQL and a broker "
                  "(BENCH_DATABASE_URL, BENCH_BROKER_URL; make bench-pg)", flush=True)
    finally:
        SINK.terminate()


if __name__ == "__main__":
    main()
