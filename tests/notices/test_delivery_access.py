"""Who reaches each inbox, letter, PDF, receipt and ZIP URL. Refused: another
tenant's signatory, a contact who may not sign, staff of another centre, an
anonymous visitor (and, on the tenant side, staff)."""

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from notices.models import Receipt
from notices.services.receipts import receipt_record_paper
from tests.base import ANONYMOUS, assert_access, png_upload
from tests.fixtures.shared_world import on_world

from .delivery import delivery_of, signed_online, stamped_letter

pytestmark = pytest.mark.django_db


def _signed(world):
    letter, d = signed_online(world)
    with TestCase.captureOnCommitCallbacks(execute=True):
        receipt_record_paper(delivery=delivery_of(letter, world.tenant_a2), actor=world.ops_a, signer_name="王店长",
                             signed_at=timezone.now(), scan=png_upload())
    return letter, d


signed = on_world("signed", _signed)  # built once for the tests around one (tests/fixtures/shared_world.py)


def test_the_inbox_is_for_signatories_only(world, signed):
    assert_access(reverse("notices_inbox:inbox"), allowed=[world.signer_a, world.signer_b],
                  refused=[world.nonsigner_a, world.ops_a, ANONYMOUS])


def test_another_signatory_sees_only_their_own_tenants_letters(world, signed):
    from django.test import Client

    client = Client()
    client.force_login(world.signer_b)
    assert list(client.get(reverse("notices_inbox:inbox")).context["items"]) == []


# Each test below tries several URLs of one signed letter: sealing the letter
# and its receipts' certificates takes a second or more, each request
# milliseconds. assert_access names the URL and person that fail.


def test_tenant_letter_urls_answer_only_the_tenants_signatories(world, signed):
    _letter, d = signed
    for name in ("letter", "pdf", "receipt"):
        assert_access(reverse(f"notices_inbox:{name}", args=[d.pk]), allowed=[world.signer_a],
                      refused=[world.signer_a2, world.signer_b, world.nonsigner_a, world.ops_a, world.ops_b, ANONYMOUS])


def test_tenant_letter_actions_answer_only_the_tenants_signatories(world, signed):
    _letter, d = signed
    for name in ("code", "sign", "question"):
        assert_access(reverse(f"notices_inbox:{name}", args=[d.pk]), method="post", data={"channel": "email"},
                      refused=[world.signer_a2, world.signer_b, world.nonsigner_a, world.ops_a, ANONYMOUS])
        assert Receipt.objects.count() == 2, name


def test_staff_letter_urls_answer_only_staff_of_the_centre(world, signed):
    letter, _d = signed
    for name in ("detail", "deliveries_xlsx"):
        assert_access(reverse(f"notices_letters:{name}", args=[letter.pk]), allowed=[world.ops_a, world.manager],
                      refused=[world.ops_b, world.signer_a, world.nonsigner_a, ANONYMOUS])
    # The receipts ZIP's prepare, job and download URLs: tests/notices/test_receipts_zip.py.


def test_receipt_files_answer_only_staff_of_the_centre(world, signed):
    letter, _d = signed
    receipt = Receipt.objects.get(letter=letter, method="paper")
    for name in ("receipt_certificate", "receipt_scan"):
        assert_access(reverse(f"notices_letters:{name}", args=[receipt.pk]), allowed=[world.ops_a, world.manager],
                      refused=[world.ops_b, world.signer_a, world.signer_a2, world.nonsigner_a, ANONYMOUS])


def test_the_paper_form_answers_only_operations_of_the_centre(world, signed):
    letter, _d = signed
    other = stamped_letter(world, title="第二封")
    d = delivery_of(other, world.tenant_a)
    assert_access(reverse("notices_letters:paper", args=[other.pk, d.pk]), allowed=[world.ops_a, world.manager],
                  refused=[world.ops_b, world.leader_a, world.signer_a, world.nonsigner_a, ANONYMOUS])
