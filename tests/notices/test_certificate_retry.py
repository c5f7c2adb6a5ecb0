"""A receipt certificate that fails (no seal yet, the timestamp server down)
is tried again later and later, not at every sweep, and staff see it on
their home page and on the letter's deliveries until it is made."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone, translation

from notices.models import CertificateState, LetterTemplate, Receipt
from notices.services.receipt_certificates import receipt_certificate_make
from notices.services.receipts import (
    CERTIFICATE_RETRY_CAP,
    certificate_retry_at,
    receipt_sign,
    receipts_without_certificate,
)
from portal.admin_home import work_items_for
from tests.base import PASSWORD

from .delivery import delivery_of, letter_to_sign_within, stamped_letter  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

letter = letter_to_sign_within(days=5)


@pytest.fixture
def failing(world, letter):
    """A receipt whose certificate cannot be made: the centre's seal is gone."""
    delivery = delivery_of(letter, world.tenant_a)
    with TestCase.captureOnCommitCallbacks(execute=False):
        made = receipt_sign(delivery=delivery, user=world.signer_a, pdf_sha256=delivery.pdf_sha256, password=PASSWORD)
    template = LetterTemplate.objects.get(centre=world.centre_a)
    made.seal_png = bytes(template.seal_png)  # for a test that puts it back
    LetterTemplate.objects.filter(pk=template.pk).update(seal_png=b"")
    return made


def _fail(receipt_id):
    with pytest.raises(ValueError):
        receipt_certificate_make(receipt_id=receipt_id)
    return Receipt.objects.get(pk=receipt_id)


def test_each_failure_puts_the_next_try_further_off_up_to_six_hours(failing):
    now = timezone.now()
    gaps = [certificate_retry_at(attempts, now) - now for attempts in range(1, 12)]
    assert gaps[:4] == [timedelta(minutes=3 * 2**n) for n in range(4)]  # ATRIUM_CERTIFICATE_STUCK_MINUTES = 3
    assert max(gaps) == gaps[-1] == CERTIFICATE_RETRY_CAP == timedelta(hours=6)
    for attempt in (1, 2):
        before = timezone.now()
        receipt = _fail(failing.pk)
        assert receipt.certificate_attempts == attempt
        assert before + gaps[attempt - 1] <= receipt.certificate_retry_at <= timezone.now() + gaps[attempt - 1]
    assert receipt.certificate_state == CertificateState.FAILED
    assert "no letter template with a seal" in receipt.certificate_error


def test_the_sweep_takes_a_failed_certificate_only_when_its_retry_is_due(failing):
    receipt = _fail(failing.pk)
    assert not receipts_without_certificate().filter(pk=receipt.pk).exists()
    with time_machine.travel(receipt.certificate_retry_at + timedelta(seconds=1)):
        assert receipts_without_certificate().filter(pk=receipt.pk).exists()


def test_a_lost_pending_certificate_is_taken_after_the_stuck_threshold(world, letter):
    delivery = delivery_of(letter, world.tenant_a)
    with TestCase.captureOnCommitCallbacks(execute=False):
        receipt = receipt_sign(delivery=delivery, user=world.signer_a, pdf_sha256=delivery.pdf_sha256, password=PASSWORD)
    assert not receipts_without_certificate().filter(pk=receipt.pk).exists()
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        assert receipts_without_certificate().filter(pk=receipt.pk).exists()


def test_made_once_the_seal_is_back_and_then_never_taken_again(failing, world):
    receipt = _fail(failing.pk)
    LetterTemplate.objects.filter(centre=world.centre_a).update(seal_png=failing.seal_png)
    made = receipt_certificate_make(receipt_id=receipt.pk)
    assert made.certificate_state == CertificateState.READY
    assert made.certificate_retry_at is None
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        assert not receipts_without_certificate().filter(pk=receipt.pk).exists()


def test_staff_see_the_failure_at_home_and_on_the_deliveries_page(failing, world, letter):
    _fail(failing.pk)
    with translation.override("en"):
        items = {str(item.label): item.count for item in work_items_for(world.ops_a)}
        assert items["receipt certificates that could not be made"] == 1
        assert "receipt certificates that could not be made" not in {str(i.label) for i in work_items_for(world.ops_b)}
    client = Client()
    client.force_login(world.ops_a)
    page = client.get(reverse("notices_letters:detail", args=[letter.pk]))
    assert page.status_code == 200
    assert b'data-testid="certificate-failed"' in page.content


def test_two_workers_failing_on_one_receipt_count_two_attempts(failing):
    """Both read the receipt before rendering (attempts 0); each failure is
    counted from the locked row, so the second does not overwrite the first."""
    from notices.services.receipt_certificates import _record_failure

    read_by_first, read_by_second = Receipt.objects.get(pk=failing.pk), Receipt.objects.get(pk=failing.pk)
    _record_failure(read_by_first, ValueError("seal gone"))
    _record_failure(read_by_second, ValueError("seal gone"))
    assert Receipt.objects.get(pk=failing.pk).certificate_attempts == 2
