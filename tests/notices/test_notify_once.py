"""At most once to the tenant, at least once in the database (issue 13):
every letter notification and reminder is claimed before it is sent, so a
re-queued fan-out, the sweep or a second worker never repeats an email or a
text; a worker that died holding a claim is replaced after
ATRIUM_NOTIFY_CLAIM_MINUTES; one that died after the mail server accepted
the message does not cause it to be sent again, and staff see the row."""

from collections import Counter
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from notices.models import Delivery, DeliveryState, Letter, Reminder
from notices.services.delivery import deliveries_notify, letter_deliver
from notices.services.followup import letter_remind_now
from notices.tasks import deliver_letter_task, follow_up_letters, sweep_stuck_deliveries
from portal.outbox import claim

from .delivery import sms_outbox, stamped_letter, unnotified_letter  # noqa: F401 - fixture
from .notify_backends import DiesAfterAcceptBackend, SecondWorkerBackend, WorkerDied

pytestmark = pytest.mark.django_db
EXTRA_TENANTS = 12


@pytest.fixture
def letter(world, sms_outbox, settings):
    """A letter to 14 tenants of centre A, each with a signatory who has an
    email and a phone, whose deliveries exist but are not notified yet."""
    letter = unnotified_letter(world, sms_outbox, extra_tenants=EXTRA_TENANTS, code_prefix="TN")
    return letter


def _letter_mails():
    return Counter(tuple(m.to) for m in mail.outbox if "/my/letters/" in m.body)


def _every_tenant_told_once(letter, sms_outbox):
    tenants = Delivery.objects.filter(letter=letter).count()
    emails, texts = _letter_mails(), Counter(t.to for t in sms_outbox)
    assert len(emails) == tenants and set(emails.values()) == {1}, emails
    assert len(texts) == tenants and set(texts.values()) == {1}, texts
    assert not Delivery.objects.filter(letter=letter, notified_at__isnull=True).exists()
    assert Letter.objects.get(pk=letter.pk).delivery_state == DeliveryState.DELIVERED


def _age_claims(qs, settings):
    qs.update(notify_claimed_at=timezone.now() - timedelta(minutes=settings.ATRIUM_NOTIFY_CLAIM_MINUTES + 1))


def test_a_re_queued_fan_out_while_a_batch_is_being_sent_repeats_no_email_and_no_text(world, letter, sms_outbox, settings):
    settings.ATRIUM_DELIVERY_CHUNK = 5
    settings.ATRIUM_DELIVERY_STUCK_MINUTES = 1
    settings.EMAIL_BACKEND = "tests.notices.notify_backends.SecondWorkerBackend"
    sweeps = []

    def second_worker():
        # Mid-send of the first batch: the sweep sees the fan-out moving and
        # leaves it; a re-queue of the whole delivery (what the sweep did
        # before) runs to the end in another worker.
        sweeps.append(sweep_stuck_deliveries())
        with TestCase.captureOnCommitCallbacks(execute=True):
            deliver_letter_task.delay(letter.pk)

    with TestCase.captureOnCommitCallbacks() as queued:
        assert len(letter_deliver(letter_id=letter.pk)) == 3  # three batches queued, none run yet
    SecondWorkerBackend.second_worker = second_worker
    for callback in queued:
        callback()
    assert sweeps == [0]
    _every_tenant_told_once(letter, sms_outbox)


def test_a_worker_that_died_holding_a_claim_is_replaced_after_the_threshold_and_each_tenant_is_told_once(
        world, letter, sms_outbox, settings):
    settings.ATRIUM_DELIVERY_STUCK_MINUTES = settings.ATRIUM_NOTIFY_CLAIM_MINUTES
    pending = Delivery.objects.filter(letter=letter, notified_at__isnull=True)
    ids = list(pending.values_list("pk", flat=True))
    _token, taken = claim(pending)  # the worker claims its batch and is killed before sending
    assert sorted(taken) == sorted(ids)
    assert deliveries_notify(letter_id=letter.pk, delivery_ids=ids) == 0  # a re-queue while the claim is fresh
    assert mail.outbox == [] and sms_outbox == []

    long_ago = timezone.now() - timedelta(hours=1)
    Letter.objects.filter(pk=letter.pk).update(stamped_at=long_ago, delivery_started_at=long_ago)
    _age_claims(pending, settings)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert sweep_stuck_deliveries() == 1
    _every_tenant_told_once(letter, sms_outbox)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert sweep_stuck_deliveries() == 0
        deliver_letter_task.delay(letter.pk)
    _every_tenant_told_once(letter, sms_outbox)


def test_an_email_accepted_by_the_server_before_the_worker_died_is_not_sent_again_and_staff_see_it(
        world, letter, sms_outbox, settings):
    delivery = Delivery.objects.get(letter=letter, tenant=world.tenant_a)
    settings.EMAIL_BACKEND = "tests.notices.notify_backends.DiesAfterAcceptBackend"
    with pytest.raises(WorkerDied):
        deliveries_notify(letter_id=letter.pk, delivery_ids=[delivery.pk])
    assert _letter_mails() == {(world.signer_a.email,): 1} and sms_outbox == []
    assert DiesAfterAcceptBackend  # the server took it; nothing was recorded after

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ids = list(Delivery.objects.filter(letter=letter).values_list("pk", flat=True))
    assert deliveries_notify(letter_id=letter.pk, delivery_ids=ids) == len(ids) - 1  # its claim is still fresh
    _age_claims(Delivery.objects.filter(pk=delivery.pk), settings)
    assert deliveries_notify(letter_id=letter.pk, delivery_ids=ids) == 1
    _every_tenant_told_once(letter, sms_outbox)  # its email once, and its text, never handed over, once
    delivery.refresh_from_db()
    assert delivery.email_handed_at and delivery.email_sent_at is None and delivery.sms_sent_at

    client = Client()
    client.force_login(world.ops_a)
    url = reverse("notices_letters:detail", args=[letter.pk])
    page = client.get(url, {"show": "unknown"})
    assert page.context["delivery_counts"]["unknown"] == 1
    assert [d.tenant for d in page.context["deliveries"]] == [world.tenant_a]
    assert "未确认送达" in page.content.decode()


def test_remind_now_pressed_twice_reminds_each_tenant_once(world, letter, sms_outbox):
    with TestCase.captureOnCommitCallbacks(execute=True):
        letter_deliver(letter_id=letter.pk)
    Letter.objects.filter(pk=letter.pk).update(requires_receipt=True)
    letter.refresh_from_db()
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks() as first:
        tenants = letter_remind_now(letter=letter, actor=world.ops_a)
    with TestCase.captureOnCommitCallbacks() as second:
        assert letter_remind_now(letter=letter, actor=world.ops_a) == 0  # the first press is still going out
    for callback in first + second + first:  # and the first press's tasks delivered twice
        callback()
    reminders = Counter(tuple(m.to) for m in mail.outbox if "催签" in m.subject)
    assert len(reminders) == tenants and set(reminders.values()) == {1}
    assert Reminder.objects.filter(notified_at__isnull=False).count() == tenants


def test_a_reminder_whose_worker_died_is_sent_by_the_hourly_follow_up_once(world, letter, sms_outbox, settings):
    with TestCase.captureOnCommitCallbacks(execute=True):
        letter_deliver(letter_id=letter.pk)
    Delivery.objects.filter(letter=letter).update(next_reminder_at=timezone.now() - timedelta(minutes=1))
    settings.EMAIL_BACKEND = "tests.notices.notify_backends.DiesAfterAcceptBackend"
    mail.outbox.clear()
    with pytest.raises(WorkerDied):  # the first reminder reaches the server, then the worker dies
        follow_up_letters()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    recorded = Reminder.objects.filter(notified_at__isnull=True)
    assert recorded.count() == Delivery.objects.filter(letter=letter).count()  # recorded before sending
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert follow_up_letters()["unsent"] == 0  # claims still fresh: nobody else sends them
    _age_claims(recorded, settings)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert follow_up_letters()["reminders"] == 0  # the schedule had moved on before sending
    reminders = Counter(tuple(m.to) for m in mail.outbox if "催签" in m.subject)
    assert set(reminders.values()) == {1} and len(reminders) == recorded.model.objects.count()
