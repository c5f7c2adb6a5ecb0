"""Lose nothing (issue 13): a server that refuses one tenant's address or
number for good (SMTP 550, Aliyun isv.MOBILE_NUMBER_ILLEGAL) does not hold
back the rest of the batch. The refusal is recorded on the delivery and
shown to staff with the server's reason, the letter is delivered, and
nothing is sent twice. A refusal that may pass (a gateway that cannot be
reached) still leaves the rows to be tried again."""

import socket
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notices.models import Delivery, DeliveryState, Letter
from notices.services.delivery import deliveries_notify
from portal.models.audit import AuditEvent
from portal.sms import SmsNotSent
from tenants.models import Contact
from tests.fixtures.sms_gateway import aliyun, sms_gateway  # noqa: F401 - fixture
from tests.fixtures.smtp import smtp_server  # noqa: F401 - fixture

from .delivery import sms_outbox, stamped_letter, unnotified_letter  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def letter(world, sms_outbox):
    """A letter to the 5 tenants of centre A (one signatory each, with an
    email and a mobile number), delivered but not notified yet."""
    letter = unnotified_letter(world, sms_outbox, extra_tenants=3, code_prefix="TR")
    assert Delivery.objects.filter(letter=letter).count() == 5
    return letter


def _ids(letter) -> list[int]:
    return list(Delivery.objects.filter(letter=letter).order_by("pk").values_list("pk", flat=True))


def _contact(delivery) -> Contact:
    return Contact.objects.get(tenant=delivery.tenant, may_sign=True)


def _page(world, letter, show="all"):
    client = Client()
    client.force_login(world.ops_a)
    return client.get(reverse("notices_letters:detail", args=[letter.pk]), {"show": show})


def _staff_see_the_refusal(world, letter, refused, channel, reason):
    page = _page(world, letter, "refused")
    assert page.context["delivery_counts"]["refused"] == 1 and page.context["delivery_counts"]["unknown"] == 0
    assert [d.pk for d in page.context["deliveries"]] == [refused.pk]
    html = page.content.decode()
    assert 'data-testid="notify-refused"' in html and f"通知被拒绝: {channel}" in html and reason in html
    assert list(_page(world, letter, "unknown").context["deliveries"]) == []
    delivered = AuditEvent.objects.filter(action="letter.delivered", object_id=str(letter.pk)).order_by("pk").last()
    assert delivered.details["refused"] == 1 and delivered.details["deliveries"] == 5


def test_a_number_the_gateway_refuses_for_good_holds_back_no_other_tenant(world, letter, aliyun):
    ids = _ids(letter)
    second = Delivery.objects.get(pk=ids[1])
    bad = _contact(second).phone
    aliyun.refuse[bad] = "isv.MOBILE_NUMBER_ILLEGAL"

    assert deliveries_notify(letter_id=letter.pk, delivery_ids=ids) == 5
    assert not Delivery.objects.filter(letter=letter, notified_at__isnull=True).exists()
    assert sorted(m.out_id for m in aliyun.messages) == sorted(f"delivery:{pk}" for pk in ids if pk != second.pk)
    assert Letter.objects.get(pk=letter.pk).delivery_state == DeliveryState.DELIVERED
    second.refresh_from_db()
    assert second.sms_refused_at and second.sms_sent_at is None and second.email_sent_at
    assert "isv.MOBILE_NUMBER_ILLEGAL" in second.notify_refusal
    assert len(mail.outbox) == 5  # its email went out all the same
    _staff_see_the_refusal(world, letter, second, "短信", "isv.MOBILE_NUMBER_ILLEGAL")

    # A re-run, with the refusal lifted even, sends nothing more.
    del aliyun.refuse[bad]
    assert deliveries_notify(letter_id=letter.pk, delivery_ids=ids) == 0
    assert aliyun.requests == 5 and len(aliyun.messages) == 4 and len(mail.outbox) == 5


def test_an_address_the_mail_server_refuses_with_550_holds_back_no_other_tenant(world, letter, settings, sms_outbox,
                                                                                  smtp_server):
    settings.EMAIL_BACKEND = "portal.mail_smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", smtp_server.port, False
    ids = _ids(letter)
    second = Delivery.objects.get(pk=ids[1])
    bad = _contact(second).email
    smtp_server.refuse[bad] = f"550 5.1.1 <{bad}>: Recipient address rejected: User unknown"

    assert deliveries_notify(letter_id=letter.pk, delivery_ids=ids) == 5
    assert len(smtp_server.messages) == 4 and bad not in {r for m in smtp_server.messages for r in m.recipients}
    assert len(sms_outbox) == 5  # its text went out all the same
    second.refresh_from_db()
    assert second.email_refused_at and second.email_sent_at is None and second.sms_sent_at and second.notified_at
    assert second.notify_refusal.startswith("email: 550 5.1.1")
    assert Letter.objects.get(pk=letter.pk).delivery_state == DeliveryState.DELIVERED
    _staff_see_the_refusal(world, letter, second, "邮件", "Recipient address rejected")

    assert deliveries_notify(letter_id=letter.pk, delivery_ids=ids) == 0
    assert len(smtp_server.messages) == 4 and len(sms_outbox) == 5


def test_a_mailbox_the_server_refuses_for_now_with_450_is_tried_again(world, letter, settings, sms_outbox,
                                                                       smtp_server):
    settings.EMAIL_BACKEND = "portal.mail_smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", smtp_server.port, False
    ids = _ids(letter)
    bad = _contact(Delivery.objects.get(pk=ids[1])).email
    smtp_server.refuse[bad] = "450 4.2.1 Mailbox busy, try again later"
    with pytest.raises(Exception, match="450"):
        deliveries_notify(letter_id=letter.pk, delivery_ids=ids)
    assert Delivery.objects.filter(letter=letter, notified_at__isnull=True).count() == 4
    assert not Delivery.objects.filter(letter=letter, email_refused_at__isnull=False).exists()
    del smtp_server.refuse[bad]
    _age_claims(letter, settings)
    assert deliveries_notify(letter_id=letter.pk, delivery_ids=ids) == 4
    assert len(smtp_server.messages) == 5 and len(sms_outbox) == 5


def _age_claims(letter, settings):
    Delivery.objects.filter(letter=letter).update(
        notify_claimed_at=timezone.now() - timedelta(minutes=settings.ATRIUM_NOTIFY_CLAIM_MINUTES + 1))


def test_a_gateway_that_cannot_be_reached_leaves_the_rows_to_be_tried_again(world, letter, aliyun, settings):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    endpoint, settings.ATRIUM_SMS_ENDPOINT = settings.ATRIUM_SMS_ENDPOINT, f"http://127.0.0.1:{port}/"
    ids = _ids(letter)
    with pytest.raises(SmsNotSent):
        deliveries_notify(letter_id=letter.pk, delivery_ids=ids)
    pending = Delivery.objects.filter(letter=letter, notified_at__isnull=True)
    assert pending.count() == 5 and not Delivery.objects.filter(letter=letter, sms_refused_at__isnull=False).exists()
    assert Letter.objects.get(pk=letter.pk).delivery_state == DeliveryState.SENDING

    settings.ATRIUM_SMS_ENDPOINT = endpoint
    _age_claims(letter, settings)
    assert deliveries_notify(letter_id=letter.pk, delivery_ids=ids) == 5
    assert sorted(m.out_id for m in aliyun.messages) == sorted(f"delivery:{pk}" for pk in ids)
    assert len(mail.outbox) == 5  # the first tenant's email, accepted before the gateway failed, not sent again
    assert Letter.objects.get(pk=letter.pk).delivery_state == DeliveryState.DELIVERED
