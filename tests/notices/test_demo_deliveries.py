"""The demo holds letters in every delivery state: signed online and on
paper (with sealed certificates), viewed, not viewed, reminded and overdue;
loading it twice adds nothing."""


from notices.models import (
    CertificateState,
    Delivery,
    DeliveryState,
    Letter,
    LetterAttachment,
    Receipt,
    Reminder,
    SignMethod,
)

from . import pdftotext, squash


def test_the_demo_has_deliveries_and_receipts_in_every_state(seeded_demo):
    stamped = Letter.objects.filter(centre__code="BJ", status="stamped")
    assert stamped.count() >= 2 and all(letter.delivery_state == DeliveryState.DELIVERED for letter in stamped)
    methods = set(Receipt.objects.values_list("method", flat=True))
    assert SignMethod.PAPER in methods and SignMethod.PASSWORD in methods
    assert not Receipt.objects.exclude(certificate_state=CertificateState.READY).exists()
    deliveries = Delivery.objects.filter(letter__in=stamped)
    assert deliveries.filter(receipt__isnull=True, first_viewed_at__isnull=False).exists()
    assert deliveries.filter(receipt__isnull=True, first_viewed_at__isnull=True).exists()
    assert deliveries.filter(overdue_at__isnull=False).exists()
    assert Reminder.objects.filter(kind="scheduled").exists()
    # The walkthrough's signatory still has the fire-safety notice to sign.
    assert deliveries.filter(tenant__contacts__user__email="signer1@tenant.atrium.demo", receipt__isnull=True,
                             letter__kind="fire_inspection").exists()
    # The fire-safety notice carries its inspection schedule, sealed by hash.
    schedule = LetterAttachment.objects.get(letter__centre__code="BJ", title="消防安全检查安排表")
    assert schedule.file.name.endswith(".pdf") and len(schedule.sha256) == 64
    with schedule.letter.pdf.open("rb") as fh:
        assert schedule.sha256[:16] in squash(pdftotext(fh.read()))
    seeded_demo(Receipt)
