"""Helpers for delivery and signing tests: a letter taken through the real
chain (approve, seal, deliver — tasks run in-process, on commit)."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from notices.models import Delivery, Letter
from portal import sms

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


def letter_to_sign_within(days):
    """A `letter` fixture: stamped_letter, to be signed within `days` of today."""

    @pytest.fixture
    def letter(world):
        return stamped_letter(world, sign_by=timezone.localdate() + timedelta(days=days))

    return letter


def delivery_of(letter, tenant) -> Delivery:
    return Delivery.objects.get(letter=letter, tenant=tenant)


def last_code(to: str) -> str:
    """The one-time code in the newest email to `to`."""
    for message in reversed(mail.outbox):
        if to in message.to:
            found = re.search(r"\b(\d{6})\b", message.subject + message.body)
            if found:
                return found.group(1)
    raise AssertionError(f"no code mailed to {to}")
