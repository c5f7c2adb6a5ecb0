"""Texts through Alibaba Cloud SMS (portal.sms_aliyun), against a fake
dysmsapi on 127.0.0.1 that checks every request's signature: what reaches
the gateway, what a refusal does, and that a text whose answer never came
is never sent again (issue 13: at most once to the tenant)."""

import json
import re
import socket
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.test import TestCase
from django.utils import timezone

from notices.services.sign_codes import sign_code_send
from portal.models.outbox import OutboxEntry
from portal.outbox import outcome_unknown_q, send_once
from portal.sms import SmsMessage, SmsNotSent, SmsOutcomeUnknown, SmsRefused, send_sms
from portal.sms_aliyun import AliyunSmsBackend, sign
from tenants.models import Contact
from tests.fixtures.sms_gateway import aliyun, expected_signature, sms_gateway  # noqa: F401 - fixture
from tests.notices.delivery import delivery_of, stamped_letter
from tests.portal.test_settings import _manage, _production

pytestmark = pytest.mark.django_db


def _expire_claim(entry):
    minutes = django_settings.ATRIUM_NOTIFY_CLAIM_MINUTES + 1
    OutboxEntry.objects.filter(pk=entry.pk).update(notify_claimed_at=timezone.now() - timedelta(minutes=minutes))


def test_the_signature_is_aliyuns_documented_example():
    # Alibaba Cloud's worked example (RPC signature v1, AccessKey testid / testsecret).
    params = {"AccessKeyId": "testid", "Action": "DescribeRegions", "Format": "XML", "SignatureMethod": "HMAC-SHA1",
              "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf", "SignatureVersion": "1.0",
              "TimeStamp": "2016-02-23T12:46:24Z", "Version": "2014-05-26"}
    assert sign(params, "testsecret") == expected_signature(params, "testsecret") == "CT9X0VtwR86fNWSnsc6v8YGOjuE="
    # Chinese text, spaces and the characters form-encoding treats differently.
    params["TemplateParam"] = json.dumps({"content": "商户 A*B~C+D “通知”"}, ensure_ascii=False)
    assert sign(params, "testsecret") == expected_signature(params, "testsecret")


def test_a_letter_notification_reaches_the_gateway_signed_with_its_delivery_as_out_id(world, aliyun):
    Contact.objects.filter(user=world.signer_a).update(phone="139 0000 0001")
    letter = stamped_letter(world, sign_by=timezone.localdate() + timedelta(days=7))
    delivery = delivery_of(letter, world.tenant_a)
    assert [(m.phone, m.out_id) for m in aliyun.messages] == [("13900000001", f"delivery:{delivery.pk}")]
    assert letter.title in aliyun.messages[0].text and f"/my/letters/{delivery.pk}/" in aliyun.messages[0].text
    delivery.refresh_from_db()
    assert delivery.sms_sent_at and delivery.notified_at


def test_a_signing_code_reaches_the_gateway(world, aliyun):
    letter = stamped_letter(world, sign_by=timezone.localdate() + timedelta(days=5))
    Contact.objects.filter(user=world.signer_a).update(phone="+8613900000002")
    before = len(aliyun.messages)
    with TestCase.captureOnCommitCallbacks(execute=True):
        sign_code_send(delivery=delivery_of(letter, world.tenant_a), user=world.signer_a, channel="sms")
    (message,) = aliyun.messages[before:]
    assert message.phone == "+8613900000002" and re.search(r"\b\d{6}\b", message.text)


def test_a_wrong_secret_is_refused_by_the_gateway_and_nothing_is_sent(aliyun, settings):
    settings.ATRIUM_SMS_ACCESS_KEY_SECRET = "not-the-secret"
    with pytest.raises(SmsRefused) as refused:
        send_sms([SmsMessage("13900000003", "测试")])
    assert refused.value.code == "SignatureDoesNotMatch"
    assert aliyun.requests == 1 and aliyun.messages == []


def test_a_refused_text_is_released_and_sent_once_when_tried_again(aliyun):
    aliyun.refuse["13900000004"] = "isv.BUSINESS_LIMIT_CONTROL"
    text = SmsMessage("13900000004", "商场通知")
    with pytest.raises(SmsRefused) as refused:
        send_once("test:refused", texts=[text])
    assert refused.value.code == "isv.BUSINESS_LIMIT_CONTROL"
    entry = OutboxEntry.objects.get(key="test:refused")
    assert entry.sms_handed_at is None and entry.sms_sent_at is None and entry.done_at is None
    del aliyun.refuse["13900000004"]
    _expire_claim(entry)  # as the next run after ATRIUM_NOTIFY_CLAIM_MINUTES would find it
    assert send_once("test:refused", texts=[text]) is True
    assert send_once("test:refused", texts=[text]) is False
    assert [(m.phone, m.out_id) for m in aliyun.messages] == [("13900000004", f"outboxentry:{entry.pk}")]


def test_a_number_refused_for_good_is_recorded_the_entry_done_and_never_tried_again(aliyun):
    text = SmsMessage("0571-8888888", "商场通知")
    assert send_once("test:landline", texts=[text]) is True
    entry = OutboxEntry.objects.get(key="test:landline")
    assert entry.done_at and entry.sms_refused_at and entry.sms_sent_at is None
    assert entry.notify_refusal == "sms: isv.MOBILE_NUMBER_ILLEGAL 非法手机号"
    assert not OutboxEntry.objects.filter(outcome_unknown_q(done="done_at"), pk=entry.pk).exists()
    _expire_claim(entry)
    assert send_once("test:landline", texts=[text]) is False
    assert aliyun.requests == 1 and aliyun.messages == []


def test_one_bad_number_among_several_does_not_hold_back_the_others(aliyun):
    sent = send_sms([SmsMessage("0571-8888888", "通知"), SmsMessage("13900000005", "通知")])
    assert sent == 1 and [m.phone for m in aliyun.messages] == ["13900000005"]
    with pytest.raises(SmsRefused) as refused:
        send_sms([SmsMessage("0571-8888888", "通知")])
    assert refused.value.code == "isv.MOBILE_NUMBER_ILLEGAL"


def test_a_gateway_that_never_answers_leaves_the_outcome_unknown_and_nothing_is_resent(aliyun):
    aliyun.hang.add("13900000006")
    text = SmsMessage("13900000006", "停电通知")
    with pytest.raises(SmsOutcomeUnknown):
        send_once("test:hang", texts=[text])
    entry = OutboxEntry.objects.get(key="test:hang")
    assert entry.sms_handed_at and entry.sms_sent_at is None
    # Later, with the claim expired, the entry is taken again: the text is not.
    _expire_claim(entry)
    assert send_once("test:hang", texts=[text]) is True
    assert aliyun.requests == 1 and [m.phone for m in aliyun.messages] == ["13900000006"]
    assert OutboxEntry.objects.filter(outcome_unknown_q(done="done_at"), pk=entry.pk).exists()


def test_a_gateway_that_cannot_be_reached_sends_nothing_and_the_text_may_be_tried_again(settings, aliyun):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.ATRIUM_SMS_ENDPOINT = f"http://127.0.0.1:{port}/"
    with pytest.raises(SmsNotSent):
        send_once("test:down", texts=[SmsMessage("13900000007", "通知")])
    assert OutboxEntry.objects.get(key="test:down").sms_handed_at is None


def test_the_backend_needs_its_keys(settings):
    settings.ATRIUM_SMS_ACCESS_KEY_ID = ""
    with pytest.raises(ImproperlyConfigured, match="ATRIUM_SMS_ACCESS_KEY_ID"):
        AliyunSmsBackend()


@pytest.mark.django_db(databases=[])
def test_start_up_stops_when_aliyun_is_chosen_without_its_settings():
    result = _manage("check", **_production(ATRIUM_SMS_BACKEND="aliyun", ATRIUM_SMS_ACCESS_KEY_ID="LTAIx"))
    assert result.returncode != 0 and "ATRIUM_SMS_ACCESS_KEY_SECRET" in result.stderr

