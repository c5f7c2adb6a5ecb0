"""4.11 broadcast alerts: sent at once, one tap to confirm, chased by staff."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from portal import sms
from portal.broadcasts.services import (
    AlertError,
    alert_chase,
    alert_confirm,
    alert_create,
    alert_send,
    alert_text,
)
from portal.models import AlertRecipient, BroadcastAlert
from tests.base import ANONYMOUS, assert_access


def _typhoon(w, centres=None, by=None):
    return alert_create(actor=by or w.ops_a, kind="typhoon", level="orange", title="台风橙色预警",
                        message="请加固门窗，转移货物。", centres=centres or [w.centre_a])


@pytest.fixture(autouse=True)
def _sms_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def _contacts_with_phone(w):
    for contact in w.tenant_a.contacts.all():
        contact.phone = "13800000001"
        contact.save()


def test_an_alert_reaches_every_tenant_of_the_chosen_centre_at_once(world, django_capture_on_commit_callbacks):
    _contacts_with_phone(world)
    alert = _typhoon(world)
    with django_capture_on_commit_callbacks(execute=True):
        assert alert_send(actor=world.ops_a, alert=alert) == 2
    rows = AlertRecipient.objects.filter(alert=alert)
    assert {r.tenant for r in rows} == {world.tenant_a, world.tenant_a2}
    assert all(r.notified_at and r.notify_count == 1 for r in rows)
    recipients = {addr for m in mail.outbox for addr in m.to}
    assert recipients == {"signer@a-shop.test", "clerk@a-shop.test", "signer@a2-shop.test"}
    assert "signer@b-shop.test" not in recipients
    assert [m.to for m in sms.outbox] == ["13800000001"]
    with pytest.raises(AlertError):
        alert_send(actor=world.ops_a, alert=alert)  # a second click sends nothing twice


def test_only_staff_of_every_chosen_centre_may_send(world):
    with pytest.raises(PermissionDenied):
        _typhoon(world, centres=[world.centre_a, world.centre_b], by=world.ops_a)
    for user in (world.editor_a, world.signer_a, world.ops_b):
        with pytest.raises(PermissionDenied):
            _typhoon(world, by=user)
    assert _typhoon(world, centres=[world.centre_a, world.centre_b], by=world.manager)


def test_a_weather_alert_needs_its_colour_and_an_urgent_notice_has_none(world):
    alert = _typhoon(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        BroadcastAlert.objects.filter(pk=alert.pk).update(level="")
    with pytest.raises(IntegrityError), transaction.atomic():
        BroadcastAlert.objects.filter(pk=alert.pk).update(kind="urgent")


def test_one_confirmation_per_tenant(world):
    alert = _typhoon(world)
    alert_send(actor=world.ops_a, alert=alert)
    row = AlertRecipient.objects.get(alert=alert, tenant=world.tenant_a)
    assert alert_confirm(user=world.signer_a, recipient_id=row.pk) is True
    assert alert_confirm(user=world.nonsigner_a, recipient_id=row.pk) is False  # the shop already confirmed
    row.refresh_from_db()
    assert row.confirmed_by == world.signer_a
    for outsider in (world.signer_a2, world.signer_b):
        with pytest.raises(PermissionDenied):
            alert_confirm(user=outsider, recipient_id=row.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        AlertRecipient.objects.create(alert=alert, tenant=world.tenant_a)


def test_the_banner_and_the_one_tap(world):
    alert = _typhoon(world)
    alert_send(actor=world.ops_a, alert=alert)
    row = AlertRecipient.objects.get(alert=alert, tenant=world.tenant_a)
    client = Client()
    client.force_login(world.signer_a)
    home = client.get(reverse("portal:tenant_home")).content.decode()
    assert "台风橙色预警" in home and 'data-testid="alert-confirm"' in home
    url = reverse("broadcasts:confirm", args=(row.pk,))
    response = client.post(url, {"next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == reverse("portal:tenant_home")
    home = client.get(reverse("portal:tenant_home")).content.decode()
    assert 'data-testid="alert-confirmed"' in home and "谢谢！已记录贵店已收到本预警。" in home
    other = Client()
    other.force_login(world.signer_b)
    assert "台风橙色预警" not in other.get(reverse("portal:tenant_home")).content.decode()
    assert other.post(url).status_code == 404
    assert Client().post(url).status_code == 302  # to the login page


def test_staff_see_who_has_not_confirmed_and_chase_them(world, django_capture_on_commit_callbacks):
    alert = _typhoon(world)
    with django_capture_on_commit_callbacks(execute=True):
        alert_send(actor=world.ops_a, alert=alert)
    alert_confirm(user=world.signer_a, recipient_id=AlertRecipient.objects.get(alert=alert, tenant=world.tenant_a).pk)
    detail = reverse("portal_alerts:detail", args=(alert.pk,))
    assert_access(detail, allowed=[world.ops_a, world.manager],
                  refused=[ANONYMOUS, world.ops_b, world.editor_a, world.signer_a])
    client = Client()
    client.force_login(world.ops_a)
    page = client.get(detail).content.decode()
    assert world.tenant_a2.trading_name in page and world.tenant_a.trading_name not in page
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert alert_chase(actor=world.ops_a, alert=alert) == 1
    assert {a for m in mail.outbox for a in m.to} == {"signer@a2-shop.test"}
    assert AlertRecipient.objects.get(alert=alert, tenant=world.tenant_a2).notify_count == 2
    with pytest.raises(PermissionDenied):
        alert_chase(actor=world.ops_b, alert=alert)


def test_staff_send_an_alert_from_the_admin(world, django_capture_on_commit_callbacks):
    client = Client()
    client.force_login(world.ops_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal_alerts:new"), {
            "kind": "rainstorm", "level": "red", "title": "暴雨红色预警", "message": "请做好防水。",
            "centres": [world.centre_a.pk], "send_sms": "on",
        })
    assert response.status_code == 302
    alert = BroadcastAlert.objects.get(title="暴雨红色预警")
    assert alert.status == "sent" and alert.recipients.count() == 2
    # A centre the user does not work for is not even offered.
    response = client.post(reverse("portal_alerts:new"), {
        "kind": "urgent", "level": "", "title": "越权", "message": "x", "centres": [world.centre_b.pk],
    })
    assert response.status_code == 200 and not BroadcastAlert.objects.filter(title="越权").exists()


def test_the_alert_reads_as_one_sentence_in_each_language(world, django_capture_on_commit_callbacks):
    """The colour level was glued to an untranslated word: 【橙色warning】."""
    _contacts_with_phone(world)
    alert = _typhoon(world)
    with django_capture_on_commit_callbacks(execute=True):
        alert_send(actor=world.ops_a, alert=alert)
    assert {m.subject for m in mail.outbox} == {"【橙色预警】台风预警：台风橙色预警"}
    assert "请在租户门户中确认已收到：http://testserver/my/" in mail.outbox[0].body
    assert [m.text for m in sms.outbox] == ["【橙色预警】台风预警：台风橙色预警 请加固门窗，转移货物。"]
    subject, body, text = alert_text(alert, language="en")
    assert subject == "[Orange warning] Typhoon warning: 台风橙色预警"
    assert body.endswith("Please confirm receipt in the tenant portal: http://testserver/my/")
    assert text == "[Orange warning] Typhoon warning: 台风橙色预警 请加固门窗，转移货物。"
    urgent = alert_create(actor=world.ops_a, kind="urgent", level="", title="停电", message="今晚停电。",
                          centres=[world.centre_a])
    assert alert_text(urgent)[0] == "紧急通知：停电"
    assert alert_text(urgent, language="en")[0] == "Urgent notice: 停电"
