"""`make run` seeds with `--render-later`: the demo's rows come at once and
its PDFs are left to the worker (portal.tasks.seed_demo_render), so the
login page answers sooner. Once that task ran, the demo is the same as one
seeded in a single go: letters stamped and delivered with their receipts,
the fire letters delivered, the handbook rendered."""

from unittest import mock

from django.core.management import call_command

from notices.models import (
    CertificateState,
    Delivery,
    DeliveryState,
    Letter,
    LetterStatus,
    Receipt,
)
from portal.demo.later import seed_demo_render
from portal.models.handbook import HandbookEdition, PdfStatus


def test_the_demo_pdfs_are_left_to_the_worker_and_made_by_its_task(db):
    with mock.patch("portal.tasks.seed_demo_render.delay") as queued:
        call_command("seed_demo", "--render-later", "--quiet")
    queued.assert_called_once_with()
    assert not Letter.objects.filter(status=LetterStatus.STAMPED).exists()
    assert not Receipt.objects.exists() and not Delivery.objects.exists()
    assert not HandbookEdition.objects.filter(pdf_status=PdfStatus.READY).exists()

    seed_demo_render()

    assert not Letter.objects.filter(status__in=[LetterStatus.APPROVED, LetterStatus.STAMPING]).exists()
    stamped = Letter.objects.filter(status=LetterStatus.STAMPED)
    assert stamped.count() >= 3 and all(letter.pdf for letter in stamped)
    assert all(letter.delivery_state == DeliveryState.DELIVERED for letter in stamped)
    assert Receipt.objects.filter(certificate_state=CertificateState.READY).count() >= 4
    assert not Receipt.objects.filter(letter__kind="rectification").exists()  # as seeded in one go
    assert not HandbookEdition.objects.exclude(pdf_status=PdfStatus.READY).exists()
    counts = (Letter.objects.count(), Delivery.objects.count(), Receipt.objects.count())
    seed_demo_render()  # the task again (a retry, or a second make run) adds nothing
    assert (Letter.objects.count(), Delivery.objects.count(), Receipt.objects.count()) == counts
