"""Helpers for delivery and signing tests: a letter taken through the real
chain (approve, seal, deliver — tasks run in-process, on commit)."""

import io
import re
import zipfile
from datetime import timedelta

import pytest
from django.core import mail
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from notices.models import Delivery, Letter
from notices.services.receipts import receipt_sign
from portal import sms
from tests.base import PASSWORD
from tests.fixtures.shared_world import on_world

from .letters import decide, draft_letter, make_template, submit


@pytest.fixture
def sms_outbox(settings):
    settings.ATRIUM_SMS_BACKEND = "locmem"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


def stamped_letter(world, **fields) -> Letter:
    """A letter of centre A to all its tenants (unless `fields` say otherwise),
    approved, sealed and delivered."""
    if not hasattr(world.centre_a, "letter_template"):
        make_template(world.centre_a)
    fields.setdefault("recipient_mode", "all")
    letter = draft_letter(world.drafter_a, world.centre_a, **fields)
    submit(letter, world.drafter_a)
    decide(letter, world.leader_a)
    decide(letter, world.seal_a)
    letter.refresh_from_db()
    return letter


def signed_online(world, **fields) -> tuple[Letter, Delivery]:
    """stamped_letter, signed online by tenant A's signatory (the receipt's
    certificate sealed in-process, on commit): the letter and that delivery."""
    letter = stamped_letter(world, **fields)
    delivery = delivery_of(letter, world.tenant_a)
    with TestCase.captureOnCommitCallbacks(execute=True):
        receipt_sign(delivery=delivery, user=world.signer_a, pdf_sha256=delivery.pdf_sha256, password=PASSWORD)
    return letter, delivery


def letter_to_sign_within(days):
    """A `letter` fixture: stamped_letter, to be signed within `days` of today
    (built once for the tests around one that uses it: tests/fixtures/shared_world.py)."""

    def build(world):
        return stamped_letter(world, sign_by=timezone.localdate() + timedelta(days=days))

    return on_world("letter", build)


def delivery_of(letter, tenant) -> Delivery:
    return Delivery.objects.get(letter=letter, tenant=tenant)


def receipts_zip_of(client, letter) -> zipfile.ZipFile:
    """What staff get for the letter's receipts ZIP: press "prepare" (the
    worker runs in-process, on commit), follow to the job page, download."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("notices_letters:receipts_zip_prepare", args=[letter.pk]))
    assert response.status_code == 302, response.status_code
    page = client.get(response["Location"])
    found = re.search(r'href="([^"]+/receipts\.zip)"', page.content.decode())
    assert found, page.content.decode()[:3000]
    download = client.get(found.group(1))
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))


def last_code(to: str) -> str:
    """The one-time code in the newest email to `to`."""
    for message in reversed(mail.outbox):
        if to in message.to:
            found = re.search(r"\b(\d{6})\b", message.subject + message.body)
            if found:
                return found.group(1)
    raise AssertionError(f"no code mailed to {to}")


def unnotified_letter(world, sms_outbox, *, extra_tenants: int, code_prefix: str) -> Letter:
    """A stamped letter to the tenants of centre A plus `extra_tenants` more,
    each with a signatory who has an email and a mobile number, whose
    deliveries exist but are not notified yet (the fan-out's starting point)."""
    from notices.models import DeliveryState
    from portal.outbox import reset_claim_fields
    from tenants.models import Contact
    from tests.base import make_contact, make_tenant

    for i in range(extra_tenants):
        make_contact(make_tenant(world.centre_a, f"{code_prefix}{i:03d}", f"商户{i}"), f"shop{i}@shops.test",
                     may_sign=True, with_account=False)
    for i, contact in enumerate(Contact.objects.filter(tenant__centre=world.centre_a, may_sign=True)):
        Contact.objects.filter(pk=contact.pk).update(phone=f"1390000{i:04d}")
    letter = stamped_letter(world)
    Delivery.objects.filter(letter=letter).update(notified_at=None, **reset_claim_fields())
    Letter.objects.filter(pk=letter.pk).update(delivery_state=DeliveryState.SENDING, delivered_at=None)
    mail.outbox.clear()
    sms_outbox.clear()
    return letter
