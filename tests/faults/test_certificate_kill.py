"""A worker killed while it seals receipt certificates: the ones made stay
made, the one it was sealing and the ones still queued are made by the sweep
and the next worker, and every receipt ends with exactly one certificate."""

import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from notices.models import CertificateState, LetterTemplate, Receipt
from notices.services.receipts import receipt_record_paper
from notices.tasks import receipt_certificate_task, sweep_stuck_deliveries
from portal.models import AuditEvent
from tests.base import make_tenant, png_upload
from tests.faults.conftest import beat
from tests.fixtures.worker import tasks_to_the_broker
from tests.notices.delivery import stamped_letter

STUCK_MINUTES = 0.1  # the worker's ATRIUM_CERTIFICATE_STUCK_MINUTES: 6 s
SWEEP_EVERY = 1.0


def _ready():
    return Receipt.objects.filter(certificate_state=CertificateState.READY)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_sealing_receipt_certificates_leaves_none_missing_and_none_twice(
        world, start_worker, tsa, figures):
    for i in range(4):  # six tenants in all: a few certificates either side of the kill
        make_tenant(world.centre_a, f"TK{i:03d}", f"商户{i}")
    letter = stamped_letter(world)  # stamped and delivered in this process
    LetterTemplate.objects.filter(centre=world.centre_a).update(timestamp_url=tsa.url)
    with tasks_to_the_broker():  # the certificate tasks wait in the broker for a worker
        for delivery in letter.deliveries.select_related("tenant"):
            receipt_record_paper(delivery=delivery, actor=world.ops_a, signer_name=f"{delivery.tenant.code}店长",
                                 signed_at=timezone.now(), scan=png_upload("receipt.png"))
    receipts = set(Receipt.objects.filter(letter=letter).values_list("pk", flat=True))
    assert len(receipts) == 6 and not _ready().exists()

    env = {"ATRIUM_CERTIFICATE_STUCK_MINUTES": str(STUCK_MINUTES)}
    worker = start_worker(**env)
    worker.wait_for(lambda: _ready().count() >= 2, timeout=180, what="two certificates")
    tsa.gate.close()
    worker.wait_for(lambda: tsa.gate.held, timeout=120, what="the worker to ask the timestamp server")
    killed_at = worker.kill()
    made_before = _ready().count()
    assert 2 <= made_before < len(receipts)
    tsa.gate.open()

    worker = start_worker(**env)
    worker.wait_ready()
    beat(worker, sweep_stuck_deliveries, every=SWEEP_EVERY, until=lambda: _ready().count() == len(receipts),
         timeout=300, what="every receipt certificate")
    recovery = time.monotonic() - killed_at
    worker.stop()

    sealed = Counter(e.details["receipt"] for e in AuditEvent.objects.filter(action="receipt.certificate_sealed"))
    assert set(sealed) == receipts and set(sealed.values()) == {1}
    files = list((Path(settings.MEDIA_ROOT) / "receipts").glob("*/receipt-*.pdf"))
    assert len(files) == len(receipts)
    assert {f.name for f in files} == {Path(n).name for n in Receipt.objects.values_list("certificate", flat=True)}
    threshold, limit = STUCK_MINUTES * 60, receipt_certificate_task.time_limit
    bound = threshold + SWEEP_EVERY + limit
    figures(f"{len(receipts)} receipts, {made_before} certified before the kill; all certified "
            f"{recovery:.1f} s after it; bound {bound:.0f} s = threshold {threshold:.0f} s + sweep every "
            f"{SWEEP_EVERY:.0f} s + time limit {limit} s")
    assert recovery < bound
