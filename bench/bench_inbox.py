"""The tenant inbox, the tenant home and the admin letters listing as the
history grows: each figure is a ratio of p50 wall times measured in the same
run, requests to the small and the large case interleaved, so a loaded
machine slows both alike. Wall time, not process CPU: on PostgreSQL the
work that grows is in the database server.

One database holds both cases: a small and a large tenant (each with a
signatory), their letters in two centres, each centre with a staff member
who opens the admin listing. Rows are bulk-created: stamping them one at a
time would measure the stamping. Each tenant has the same few letters to
sign (ten, half with a due date); the rest of its history is signed or did
not ask for a receipt, as in a real centre where unsigned letters are chased.

`make bench` builds 20k deliveries / 10k letters against 1k and says so in
the figures' comment line; `make bench-full` (BENCH_FULL=1) the issue's
100k deliveries and 50k letters."""

import statistics
import time
from datetime import timedelta

from common import full, on_postgresql, report, reset_database, setup

setup("inbox")

from django.db import connection
from django.test import Client
from django.utils import timezone

from notices.models import Delivery, Letter, LetterStatus, Receipt
from notices.models.delivery import DeliveryState, SignMethod
from portal.models import Role, StaffMembership, User
from tenants.models import Centre, Contact, Operator, Tenant

SMALL = 1_000
INBOX_LARGE, LETTERS_LARGE = (100_000, 50_000) if full() else (20_000, 10_000)
UNSIGNED = 10
BATCH = 2_000
RUNS = 15


def letters(centre, drafter, n, start):
    """`n` stamped letters of `centre`, numbered from `start`, one a minute."""
    now = timezone.now()
    rows = [
        Letter(centre=centre, title=f"基准通知{i}", department="operations", drafter=drafter, status=LetterStatus.STAMPED,
               doc_year=2026, doc_seq=start + i, doc_number=f"{centre.code}商管〔2026〕{start + i:06d}号",
               pdf_sha256="0" * 64, stamped_at=now - timedelta(minutes=n - i), delivery_state=DeliveryState.DELIVERED,
               requires_receipt=i % 2 == 0 or i >= n - UNSIGNED,
               sign_by=(now + timedelta(days=i % 7 + 1)).date() if i >= n - UNSIGNED // 2 else None)
        for i in range(n)
    ]
    made = Letter.objects.bulk_create(rows, batch_size=BATCH)
    # created_at is auto_now_add: spread it so the ordering has work to do.
    for i, letter in enumerate(made):
        letter.created_at = now - timedelta(minutes=n - i)
    Letter.objects.bulk_update(made, ["created_at"], batch_size=BATCH)
    return made


def deliver(letters_, tenant, signer):
    """A delivery of each letter to `tenant`; all signed but the last UNSIGNED."""
    now = timezone.now()
    n = len(letters_)
    rows = [
        Delivery(letter=letter, tenant=tenant, centre=tenant.centre, pdf_sha256="0" * 64,
                 created_at=now - timedelta(minutes=n - i), notified_at=now, first_viewed_at=now,
                 awaiting_receipt=i >= n - UNSIGNED)
        for i, letter in enumerate(letters_)
    ]
    made = Delivery.objects.bulk_create(rows, batch_size=BATCH)
    Receipt.objects.bulk_create(
        [Receipt(delivery=d, letter=d.letter, tenant=tenant, method=SignMethod.PASSWORD, signer=signer,
                 signer_name="店长", signed_at=now, pdf_sha256="0" * 64)
         for i, d in enumerate(made) if i < n - UNSIGNED and d.letter.requires_receipt],
        batch_size=BATCH,
    )


def build_case(operator, code, n_letters, n_deliveries):
    centre = Centre.objects.create(operator=operator, name=f"基准广场{code}", code=code, hotline="0571-0000-0000")
    staff = User.objects.create_user(email=f"ops@{code}.bench", password=None, full_name="营运")
    StaffMembership.objects.create(user=staff, operator=operator, centre=centre, role=Role.OPERATIONS)
    tenant = Tenant.objects.create(centre=centre, code=f"{code}001", legal_name="基准有限公司", trading_name="基准店",
                                   category="food", tier="1")
    signer = User.objects.create_user(email=f"signer@{code}.bench", password=None, full_name="店长")
    Contact.objects.create(tenant=tenant, name="店长", user=signer, may_sign=True, email=signer.email)
    made = letters(centre, staff, max(n_letters, n_deliveries), 1)
    deliver(made[-n_deliveries:], tenant, signer)
    return staff, signer


def p50_ratio(small: Client, large: Client, url: str) -> tuple[float, float]:
    """p50 of the large case over the small one, requests interleaved."""
    times = {small: [], large: []}
    for client in (small, large):
        assert client.get(url).status_code == 200, url
    for _ in range(RUNS):
        for client in (small, large):
            start = time.perf_counter()
            response = client.get(url)
            times[client].append(time.perf_counter() - start)
            assert response.status_code == 200, (url, response.status_code)
    s, big = statistics.median(times[small]), statistics.median(times[large])
    return big / s, big * 1000


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def main():
    reset_database()
    operator = Operator.objects.create(name="基准集团", code="BENCH")
    # The small case's letters all go to its tenant; the large centre has
    # LETTERS_LARGE letters for the admin listing and as many as the inbox needs.
    staff_s, signer_s = build_case(operator, "BS", SMALL, SMALL)
    staff_l, signer_l = build_case(operator, "BL", LETTERS_LARGE, INBOX_LARGE)
    if on_postgresql():
        # What autovacuum does after a bulk load: without fresh statistics the
        # planner takes the tenant's 100k rows for 45 and sorts them all.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    if not full():
        print(f"# quick sizes: {INBOX_LARGE // 1000}k deliveries and {LETTERS_LARGE // 1000}k letters over 1k "
              "(make bench-full: 100k and 50k)")
    big_inbox, big_letters = f"{INBOX_LARGE // 1000}k", f"{LETTERS_LARGE // 1000}k"
    tenants = logged_in(signer_s), logged_in(signer_l)
    ratio, ms = p50_ratio(*tenants, "/my/letters/")
    report(f"inbox_{big_inbox}_over_1k", ratio)
    report(f"inbox_{big_inbox}_p50", ms, "ms")
    ratio, ms = p50_ratio(*tenants, "/my/")
    report(f"tenant_home_{big_inbox}_over_1k", ratio)
    report(f"tenant_home_{big_inbox}_p50", ms, "ms")
    ratio, ms = p50_ratio(logged_in(staff_s), logged_in(staff_l), "/admin/snippets/notices/letter/")
    report(f"admin_letters_{big_letters}_over_1k", ratio)
    report(f"admin_letters_{big_letters}_p50", ms, "ms")


if __name__ == "__main__":
    main()
