"""Demo deliveries and receipts for the stamped demo letters: signed online
and on paper, viewed, not viewed, reminded, and overdue.

Notifications are not sent while seeding (the demo would mail every demo
tenant); the deliveries are marked notified as if they had been."""

from datetime import timedelta

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from notices.models import Delivery, Letter, LetterStatus, Receipt, Reminder
from notices.pdf.seal import make_seal_png
from notices.services.delivery import deliveries_notify, letter_deliver
from notices.services.followup import deliveries_flag_overdue, reminders_send
from notices.services.receipt_certificates import receipt_certificate_make
from notices.services.receipts import (
    delivery_mark_viewed,
    receipt_record_paper,
    receipt_sign,
)
from portal.models import User

QUIET = {"EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend", "ATRIUM_SMS_BACKEND": "locmem"}


def _deliver(letter: Letter) -> list[Delivery]:
    for chunk in letter_deliver(letter_id=letter.pk):
        deliveries_notify(letter_id=letter.pk, delivery_ids=chunk)
    return list(Delivery.objects.filter(letter=letter).select_related("tenant", "letter").order_by("tenant__code"))


def _signer_of(delivery: Delivery):
    contact = delivery.tenant.contacts.filter(may_sign=True, user__isnull=False, active=True).first()
    return contact.user if contact else None


def _scan() -> SimpleUploadedFile:
    return SimpleUploadedFile("签收回执扫描件.png", make_seal_png("签收回执"), content_type="image/png")


@override_settings(**QUIET)
def seed_letter_deliveries(titles: list[str] | None = None) -> None:
    """`titles`: only those letters (seed_demo_render, when the fire demo's
    letters are stamped already); all of centre BJ's stamped letters when None."""
    ops = User.objects.get(email="ops@a.atrium.demo")
    now = timezone.now()
    stamped = Letter.objects.filter(centre__code="BJ", status=LetterStatus.STAMPED).order_by("created_at")
    if titles is not None:
        stamped = stamped.filter(title__in=titles)
    if not stamped.exists() or Receipt.objects.filter(letter__in=stamped).exists():
        return
    for index, letter in enumerate(stamped):
        if index == 0:
            # The month's fire-safety notice: due in a week, signed by some.
            Letter.objects.filter(pk=letter.pk).update(sign_by=timezone.localdate() + timedelta(days=7))
        else:
            # An earlier letter, now overdue: handed to operations.
            Letter.objects.filter(pk=letter.pk).update(sign_by=timezone.localdate() - timedelta(days=2))
        letter.refresh_from_db()
        deliveries = _deliver(letter)
        online = [d for d in deliveries if _signer_of(d)]
        # The first demo signatory (signer1) keeps the fire notice to sign, for the walkthrough.
        for d in online[1:3] if index == 0 else online[:2]:
            user = _signer_of(d)
            delivery_mark_viewed(delivery=d, user=user)
            receipt = receipt_sign(delivery=d, user=user, pdf_sha256=d.pdf_sha256, password=settings.ATRIUM_DEMO_PASSWORD)
            receipt_certificate_make(receipt_id=receipt.pk)
        paper = [d for d in deliveries if not _signer_of(d)][:2]
        for d in paper:
            receipt = receipt_record_paper(delivery=d, actor=ops, signer_name=f"{d.tenant.trading_name}店长",
                                           signed_at=now - timedelta(hours=3), scan=_scan())
            receipt_certificate_make(receipt_id=receipt.pk)
        unsigned = [d for d in deliveries if not Receipt.objects.filter(delivery=d).exists()]
        for d in unsigned[:3]:
            user = _signer_of(d)
            if user:
                delivery_mark_viewed(delivery=d, user=user)
        # Backdate delivery so the schedule has reminded the rest once.
        Delivery.objects.filter(letter=letter).update(next_reminder_at=now - timedelta(minutes=5))
        reminders_send(delivery_ids=[d.pk for d in unsigned], kind=Reminder.Kind.SCHEDULED)
    deliveries_flag_overdue()
