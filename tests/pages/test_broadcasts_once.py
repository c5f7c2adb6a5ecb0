"""Alerts and holiday greetings reach each tenant once (issue 13): every
message is claimed before it is sent, a re-queued chunk repeats nothing, and
a greeting a worker died in the middle of is finished by the next run
without greeting anyone twice."""

from collections import Counter
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from portal import sms
from portal.broadcasts.services import alert_create, alert_notify, alert_send
from portal.broadcasts.tasks import greetings_send_due
from portal.models import AlertRecipient, GreetingStatus, HolidayGreeting, OutboxEntry
from tests.notices.notify_backends import SecondWorkerBackend, WorkerDied

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sms_outbox(settings):
    settings.ATRIUM_SMS_BACKEND = "locmem"
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def test_an_alert_chunk_run_again_while_it_is_being_sent_tells_each_tenant_once(world, settings,
                                                                               django_capture_on_commit_callbacks):
    world.tenant_a.contacts.update(phone="13800000001")
    alert = alert_create(actor=world.ops_a, kind="typhoon", level="orange", title="台风橙色预警",
                         message="请加固门窗。", centres=[world.centre_a])
    with django_capture_on_commit_callbacks() as queued:
        alert_send(actor=world.ops_a, alert=alert)
    ids = list(AlertRecipient.objects.filter(alert=alert).values_list("pk", flat=True))
    settings.EMAIL_BACKEND = "tests.notices.notify_backends.SecondWorkerBackend"
    SecondWorkerBackend.second_worker = lambda: alert_notify(alert_id=alert.pk, recipient_ids=ids)
    for callback in queued + queued:  # the fan-out, and its message delivered twice
        callback()
    assert Counter(tuple(sorted(m.to)) for m in mail.outbox) == {
        ("clerk@a-shop.test", "signer@a-shop.test"): 1, ("signer@a2-shop.test",): 1}
    assert [t.to for t in sms.outbox] == ["13800000001"]
    assert all(r.notify_count == 1 for r in AlertRecipient.objects.filter(alert=alert))


def test_a_greeting_a_worker_died_in_the_middle_of_is_finished_once_by_the_next_run(world, settings):
    greeting = HolidayGreeting.objects.create(centre=world.centre_a, holiday="国庆节", send_on=timezone.localdate(),
                                              title="国庆快乐", message="祝各位商户国庆快乐！", status=GreetingStatus.APPROVED)
    settings.EMAIL_BACKEND = "tests.notices.notify_backends.DiesAfterAcceptBackend"
    with pytest.raises(WorkerDied):  # the first address is accepted by the server, then the worker dies
        greetings_send_due()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    greeting.refresh_from_db()
    assert greeting.status == GreetingStatus.SENT and greeting.recipients == 3 and len(mail.outbox) == 1
    assert greetings_send_due() == 1  # today's greeting is not finished: queued again…
    assert len(mail.outbox) == 3  # …and the two addresses never handed over are greeted
    OutboxEntry.objects.update(notify_claimed_at=timezone.now() - timedelta(hours=1))
    greetings_send_due()
    assert Counter(m.to[0] for m in mail.outbox) == {
        "signer@a-shop.test": 1, "clerk@a-shop.test": 1, "signer@a2-shop.test": 1}
