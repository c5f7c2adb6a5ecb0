"""Signing under contention, over HTTP: 50 deliveries × 4 sessions of their
signatory = 200 sign requests with the password, sent at the same moment to
gunicorn (4 sync workers) on 127.0.0.1. Asserts exactly one receipt per
delivery, one `letter.signed` evidence event each, no refusal, and that every
request was answered with the redirect to the letter page (the winner's
"signed", the others' "already signed by … at …"): 0 errors.

Prints the p95 of the 200 response times, and as the anchor measured in the
same run the median of single, uncontended sign requests (another letter's
deliveries, one at a time, same server): their ratio is the figure to watch.
Its floor is the CPU for the 50 winners' password hashes (PBKDF2) spread
over the cores; a session that finds its delivery signed hashes nothing.
(Before credentials were checked outside the lock, the delivery's lock also
held the letter's row, so each signature of the letter waited for every
other's hash: on PostgreSQL on 2 busy cores, 48× before against 18× after.)

Embedded default: a throw-away SQLite file under var/bench-sign-concurrent.
With BENCH_DATABASE_URL (PostgreSQL) it runs there (see bench/common.py: that
database is emptied first). The server queues the receipt-certificate task
on the embedded filesystem broker under that folder, where no worker takes
it: the benchmark times the request, not the certificate."""

import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from common import ROOT, approve_and_stamp, reset_database, setup

VAR = setup("sign-concurrent", ALLOWED_HOSTS="127.0.0.1,testserver")
VAR.mkdir(parents=True, exist_ok=True)

import requests
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test import Client

from notices.models import Delivery, Letter, LetterTemplate, Receipt
from notices.pdf.seal import make_demo_certificate, make_seal_png
from portal.models import AuditEvent, Role, StaffMembership, User
from tenants.models import Centre, Contact, Operator, Tenant

DELIVERIES, SESSIONS, WORKERS, ANCHOR_RUNS = 50, 4, 4, 9
PASSWORD = "bench-" + uuid.uuid4().hex


def make_centre() -> tuple[Centre, list[User]]:
    operator = Operator.objects.create(code="BENCHOP", name="基准测试运营公司")
    centre = Centre.objects.create(operator=operator, name="基准广场", code="BENCHS", hotline="0571-0000-0000")
    hashed = make_password(PASSWORD)  # once: 50 users, one hash
    users = User.objects.bulk_create(
        [User(email=f"signer{i}@bench.test", password=hashed, full_name=f"店长{i}") for i in range(DELIVERIES)])
    tenants = Tenant.objects.bulk_create(
        [Tenant(centre=centre, code=f"T{i:03d}", trading_name=f"商户{i}", legal_name=f"杭州商户{i}有限公司",
                category="retail", tier="3") for i in range(DELIVERIES)])
    Contact.objects.bulk_create(
        [Contact(tenant=t, user=u, name=u.full_name, email=u.email, may_sign=True) for t, u in zip(tenants, users, strict=True)])
    key, cert = make_demo_certificate(centre.name, centre.name)
    template = LetterTemplate(centre=centre, letterhead_title=centre.name, signatory_name=centre.name,
                              seal_png=make_seal_png(centre.name), seal_certificate_pem=cert.decode())
    template.set_seal_key(key)
    template.save()
    return centre, users


def delivered_letter(centre: Centre, title: str) -> Letter:
    """Through the real chain: approved, sealed and delivered to every tenant
    (the chain's tasks run in this process)."""
    people = {}
    for role in (Role.DRAFTER, Role.LEADER, Role.SEAL_KEEPER):
        user, created = User.objects.get_or_create(email=f"{role}@bench.test")
        if created:
            StaffMembership.objects.create(user=user, centre=centre, operator=centre.operator, role=role,
                                           department="safety" if role == Role.DRAFTER else "")
        people[role] = user
    letter = Letter(centre=centre, title=title, body="<p>请各商户配合检查。</p>", department="safety",
                    drafter=people[Role.DRAFTER], live=False, recipient_mode="all")
    letter.save()
    letter.save_revision(user=people[Role.DRAFTER])
    from portal.celery import app

    app.conf.task_always_eager = True
    approve_and_stamp(letter, people)
    assert Delivery.objects.filter(letter=letter).count() == DELIVERIES
    return Letter.objects.get(pk=letter.pk)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, log_path: Path) -> subprocess.Popen:
    env = dict(os.environ)
    env.pop("CELERY_BROKER_URL", None)  # the embedded broker under VAR: nothing consumes it
    log = open(log_path, "w")  # noqa: SIM115 - the server writes to it until it stops
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "portal.wsgi:application", "--workers", str(WORKERS),
         "--bind", f"127.0.0.1:{port}", "--timeout", "300", "--backlog", "512",
         "--no-control-socket"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/accounts/login/", timeout=60)
            return server
        except requests.RequestException:  # not listening yet, or its workers still booting
            time.sleep(0.3)
    server.terminate()
    raise SystemExit(f"gunicorn did not start; see {log_path}")


class Session:
    """One signed-in browser of a signatory: its cookies and the CSRF token
    of the letter page it has open."""

    def __init__(self, base: str, user: User, delivery: Delivery):
        client = Client()
        client.force_login(user)
        self.cookies = {"sessionid": client.cookies["sessionid"].value}
        self.url = f"{base}/my/letters/{delivery.pk}/"
        page = requests.get(self.url, cookies=self.cookies, timeout=60)
        assert page.status_code == 200, (self.url, page.status_code)
        self.cookies.update(page.cookies.get_dict())
        self.token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        self.sha = delivery.pdf_sha256

    def sign(self) -> tuple[float, int, str]:
        start = time.perf_counter()
        response = requests.post(f"{self.url}sign/", cookies=self.cookies, allow_redirects=False, timeout=600,
                                 data={"csrfmiddlewaretoken": self.token, "pdf_sha256": self.sha, "password": PASSWORD})
        return (time.perf_counter() - start) * 1000, response.status_code, response.headers.get("Location", "")


def anchor_ms(base: str, letter: Letter, users: list[User]) -> float:
    """One sign request at a time, nobody else signing: the uncontended cost."""
    times = []
    for i in range(ANCHOR_RUNS + 1):
        delivery = Delivery.objects.get(letter=letter, tenant__code=f"T{i:03d}")
        ms, status, _location = Session(base, users[i], delivery).sign()
        assert status == 302, status
        times.append(ms)
    return statistics.median(times[1:])  # the first warms the worker up


def burst(base: str, letter: Letter, users: list[User]) -> list[tuple[float, int, str]]:
    deliveries = {d.tenant.code: d for d in Delivery.objects.filter(letter=letter).select_related("tenant")}
    # Request i is session i // 50 of delivery i % 50: each delivery's four
    # sessions are spread over the burst, as devices are.
    sessions = [Session(base, users[i % DELIVERIES], deliveries[f"T{i % DELIVERIES:03d}"])
                for i in range(DELIVERIES * SESSIONS)]
    barrier = threading.Barrier(len(sessions))
    results: list = [None] * len(sessions)

    def run(i):
        barrier.wait(timeout=60)
        try:
            results[i] = sessions[i].sign()
        except requests.RequestException as exc:
            results[i] = (0.0, 0, f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(sessions))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def main():
    reset_database()
    backend = connection.vendor
    centre, users = make_centre()
    anchor_letter = delivered_letter(centre, "关于开展消防安全检查的通知")
    letter = delivered_letter(centre, "关于物业费调整的通知")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(port, VAR / "gunicorn.log")
    try:
        anchor = anchor_ms(base, anchor_letter, users)
        results = burst(base, letter, users)
    finally:
        server.terminate()
        server.wait(timeout=30)
    errors = [r for r in results if r[1] != 302 or not r[2].startswith("/my/letters/")]
    receipts = list(Receipt.objects.filter(letter=letter).values_list("delivery_id", flat=True))
    signed = AuditEvent.objects.for_object(letter).filter(action="letter.signed").count()
    refused = AuditEvent.objects.for_object(letter).filter(action="letter.sign_refused").count()
    print(f"sign_concurrent_requests_{backend}: {len(results)} requests")
    print(f"sign_concurrent_errors_{backend}: {len(errors)} errors")
    print(f"sign_concurrent_receipts_{backend}: {len(receipts)} receipts for {len(set(receipts))} of {DELIVERIES} deliveries")
    assert not errors, errors[:5]
    assert len(receipts) == DELIVERIES and len(set(receipts)) == DELIVERIES, receipts
    assert signed == DELIVERIES and refused == 0, (signed, refused)
    times = sorted(r[0] for r in results)
    p95 = times[int(0.95 * len(times)) - 1]
    print(f"sign_uncontended_median_ms_{backend}: {anchor:.0f} ms")
    print(f"sign_concurrent_p95_ms_{backend}: {p95:.0f} ms")
    print(f"sign_concurrent_p50_ms_{backend}: {statistics.median(times):.0f} ms")
    print(f"sign_concurrent_max_ms_{backend}: {times[-1]:.0f} ms")
    print(f"sign_concurrent_p95_over_uncontended_{backend}: {p95 / anchor:.1f} x")
    print(f"sign_password_hasher: {settings.PASSWORD_HASHERS[0].rsplit('.', 1)[-1]}")


if __name__ == "__main__":
    main()
