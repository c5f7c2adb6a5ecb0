"""Delivery (4.8.5): one delivery per recipient tenant when a letter is
stamped, notifications in the portal, by email and SMS, and the sweep that
finishes letters left half-delivered."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.utils import timezone

from notices.models import Delivery, DeliveryState, LetterTemplate
from notices.services.delivery import letter_deliver, letters_stuck_in_delivery
from notices.services.letters import _context
from notices.tasks import sweep_stuck_deliveries
from portal.models import AuditEvent
from portal.outbox import reset_claim_fields
from tenants.models import Contact
from tests.base import make_tenant

from .delivery import delivery_of, sms_outbox, stamped_letter  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def test_stamping_delivers_once_to_every_recipient_tenant_and_notifies_their_signatories(world, sms_outbox):
    Contact.objects.filter(user=world.signer_a).update(phone="13800000001")
    mail.outbox.clear()
    letter = stamped_letter(world, sign_by=timezone.localdate() + timedelta(days=7))
    assert letter.delivery_state == DeliveryState.DELIVERED and letter.delivered_at
    deliveries = Delivery.objects.filter(letter=letter)
    assert {d.tenant for d in deliveries} == {world.tenant_a, world.tenant_a2}  # centre B's tenant gets nothing
    assert all(d.notified_at and d.pdf_sha256 == letter.pdf_sha256 for d in deliveries)
    letter_mails = [m for m in mail.outbox if "/my/letters/" in m.body]
    assert {tuple(m.to) for m in letter_mails} == {(world.signer_a.email,), (world.signer_a2.email,)}
    assert all(m.alternatives and m.alternatives[0][1] == "text/html" for m in letter_mails)
    assert "/my/letters/" in letter_mails[0].body and "签收" in letter_mails[0].body
    # The contact who may not sign is not written to.
    assert not any(world.nonsigner_a.email in m.to for m in mail.outbox)
    assert [t.to for t in sms_outbox] == ["13800000001"]
    actions = list(AuditEvent.objects.for_object(letter).values_list("action", flat=True))
    assert actions.count("letter.delivered") == 1 and "letter.delivery_started" in actions


def test_the_recipient_list_is_fixed_when_the_letter_is_stamped(world):
    letter = stamped_letter(world)
    make_tenant(world.centre_a, "TA003", "新开书店")
    mail.outbox.clear()
    Delivery.objects.filter(letter=letter).update(notified_at=None, **reset_claim_fields())
    type(letter).objects.filter(pk=letter.pk).update(delivery_state=DeliveryState.SENDING)
    with TestCase.captureOnCommitCallbacks(execute=True):
        letter_deliver(letter_id=letter.pk)
    assert Delivery.objects.filter(letter=letter).count() == 2
    assert letter.__class__.objects.get(pk=letter.pk).delivery_state == DeliveryState.DELIVERED


def test_delivering_again_creates_nothing_and_sends_nothing(world):
    letter = stamped_letter(world)
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert letter_deliver(letter_id=letter.pk) == []
    assert Delivery.objects.filter(letter=letter).count() == 2
    assert mail.outbox == []


def test_the_database_holds_one_delivery_per_letter_and_tenant(world):
    letter = stamped_letter(world)
    d = delivery_of(letter, world.tenant_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(letter=letter, tenant=world.tenant_a, centre=world.centre_a, pdf_sha256=d.pdf_sha256,
                                created_at=timezone.now())


def test_a_letter_to_one_named_tenant_is_rendered_for_that_tenant(world):
    letter = stamped_letter(world, recipient_mode="named", addressee="各位商户")
    letter.recipient_tenants.set([world.tenant_a2])
    context = _context(letter, LetterTemplate.objects.get(centre=world.centre_a))
    assert context.addressee == world.tenant_a2.legal_name
    letter.recipient_tenants.set([world.tenant_a2, world.tenant_a])
    assert _context(letter, LetterTemplate.objects.get(centre=world.centre_a)).addressee == "各位商户"


def test_the_sweep_finishes_a_letter_whose_notifications_were_lost(world):
    letter = stamped_letter(world)
    long_ago = timezone.now() - timedelta(hours=1)
    # Lost before any worker claimed it.
    Delivery.objects.filter(letter=letter, tenant=world.tenant_a2).update(notified_at=None, **reset_claim_fields())
    type(letter).objects.filter(pk=letter.pk).update(
        delivery_state=DeliveryState.SENDING, delivered_at=None, delivery_started_at=long_ago, stamped_at=long_ago)
    mail.outbox.clear()
    # Started an hour ago, but a notification went out just now: still moving.
    assert sweep_stuck_deliveries() == 0
    Delivery.objects.filter(letter=letter, tenant=world.tenant_a).update(notified_at=long_ago, notify_claimed_at=long_ago)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert sweep_stuck_deliveries() == 1
    letter.refresh_from_db()
    assert letter.delivery_state == DeliveryState.DELIVERED
    assert [m.to for m in mail.outbox] == [[world.signer_a2.email]]  # only the one not notified
    assert not letters_stuck_in_delivery(older_than=timedelta(0)).exists()


def test_the_sweep_creates_the_deliveries_of_a_letter_whose_delivery_never_started(world):
    letter = stamped_letter(world)
    long_ago = timezone.now() - timedelta(hours=1)
    Delivery.objects.filter(letter=letter).delete()
    type(letter).objects.filter(pk=letter.pk).update(
        delivery_state=DeliveryState.PENDING, delivered_at=None, delivery_started_at=None, stamped_at=long_ago)
    with TestCase.captureOnCommitCallbacks(execute=True):
        sweep_stuck_deliveries()
    assert Delivery.objects.filter(letter=letter, notified_at__isnull=False).count() == 2


def test_the_sweep_leaves_a_recent_delivery_alone(world):
    letter = stamped_letter(world)
    type(letter).objects.filter(pk=letter.pk).update(delivery_state=DeliveryState.SENDING,
                                                     delivery_started_at=timezone.now())
    assert not letters_stuck_in_delivery().filter(pk=letter.pk).exists()


def test_a_chunk_of_notifications_costs_no_query_per_tenant_beyond_its_own_marks(world, sms_outbox):
    """Per tenant only the outbox's marks (email handed; email accepted and
    text handed; text accepted): contacts, tenants and links come in bulk."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from notices.services.delivery import deliveries_notify
    from tests.base import make_contact

    for i in range(3, 9):
        make_contact(make_tenant(world.centre_a, f"TA{i:03d}", f"商户{i}"), f"t{i}@shops.test", may_sign=True)
    Contact.objects.filter(tenant__centre=world.centre_a, may_sign=True).update(phone="13800000001")
    letter = stamped_letter(world)
    ids = list(Delivery.objects.filter(letter=letter).order_by("pk").values_list("pk", flat=True))
    assert len(ids) == 8

    def queries(chunk) -> int:
        Delivery.objects.filter(pk__in=chunk).update(notified_at=None, **reset_claim_fields())
        with CaptureQueriesContext(connection) as ctx:
            assert deliveries_notify(letter_id=letter.pk, delivery_ids=chunk) == len(chunk)
        return len(ctx.captured_queries)

    mail.outbox.clear()
    sms_outbox.clear()
    small, large = queries(ids[:2]), queries(ids[2:])
    assert large - small == 3 * (len(ids[2:]) - 2)
    assert len(mail.outbox) == len(sms_outbox) == 8
    assert all(m.to and f"/my/letters/{d}/" in m.body for m, d in zip(mail.outbox, ids, strict=True))
