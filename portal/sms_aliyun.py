"""Alibaba Cloud SMS (阿里云短信服务): dysmsapi `SendSms`, RPC-style API,
signature v1 (HMAC-SHA1), one request per message.

Chosen with ATRIUM_SMS_BACKEND=aliyun. Every text goes through one
registered template whose only variable, ``${content}``, carries the text
Atrium built (ATRIUM_SMS_TEMPLATE_CODE), under the approved signature
ATRIUM_SMS_SIGN_NAME. `SmsMessage.ref` is passed as OutId, so the gateway's
send records can be matched to Atrium's deliveries and outbox entries.

How answers map to portal.sms's rules (portal.outbox acts on them):
- ``Code: OK``: accepted.
- any other Code: refused — `SmsRefused`. A business refusal of the number
  (``isv.MOBILE_NUMBER_ILLEGAL`` …, an ``isv.`` code not in
  `_NOT_ABOUT_THE_NUMBER`) is permanent, as an SMTP 5xx for an address: the
  row records it and the batch goes on. Rate limits, account and
  configuration errors (``isv.BUSINESS_LIMIT_CONTROL``,
  ``SignatureDoesNotMatch``, ``isp.SYSTEM_ERROR`` …) are not: the message is
  tried again later.
- no connection made: `SmsNotSent`.
- the request went out and no usable answer came (timeout, connection
  dropped, a body that is not Aliyun's JSON): `SmsOutcomeUnknown`. The text
  may have gone out, and Aliyun's SendSms is not idempotent, so it is never
  sent again automatically.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
import uuid
from datetime import UTC, datetime
from urllib.parse import quote

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from urllib3.exceptions import NewConnectionError

from portal.sms import (
    BaseSmsBackend,
    SmsMessage,
    SmsNotSent,
    SmsOutcomeUnknown,
    SmsRefused,
)

log = logging.getLogger(__name__)

API_VERSION = "2017-05-25"
_SETTINGS = ("ATRIUM_SMS_ACCESS_KEY_ID", "ATRIUM_SMS_ACCESS_KEY_SECRET", "ATRIUM_SMS_SIGN_NAME",
             "ATRIUM_SMS_TEMPLATE_CODE")


# isv. codes that are about the account, the signature, the template or a
# rate limit rather than the number: every other message would get them too,
# or they pass, so they must not mark a recipient as refused for good.
_NOT_ABOUT_THE_NUMBER = frozenset({
    "isv.BUSINESS_LIMIT_CONTROL", "isv.DAY_LIMIT_CONTROL", "isv.AMOUNT_NOT_ENOUGH", "isv.OUT_OF_SERVICE",
    "isv.ACCOUNT_NOT_EXISTS", "isv.ACCOUNT_ABNORMAL", "isv.PRODUCT_UN_SUBSCRIPT", "isv.PRODUCT_UNSUBSCRIBE",
    "isv.SMS_SIGNATURE_ILLEGAL", "isv.SMS_SIGN_ILLEGAL", "isv.SMS_TEMPLATE_ILLEGAL", "isv.TEMPLATE_MISSING_PARAMETERS",
    "isv.INVALID_PARAMETERS", "isv.INVALID_JSON_PARAM", "isv.PARAM_LENGTH_LIMIT", "isv.PARAM_NOT_SUPPORT_URL",
    "isv.EXTEND_CODE_ERROR", "isv.SYSTEM_ERROR", "isv.DENY_IP_RANGE",
})


def refusal_is_permanent(code: str) -> bool:
    return code.startswith("isv.") and code not in _NOT_ABOUT_THE_NUMBER


def percent_encode(value: str) -> str:
    """RFC 3986, as Aliyun signs: only A-Z a-z 0-9 - _ . ~ stay as they are,
    a space is %20 (not +), UTF-8 bytes are %XX each."""
    return quote(str(value), safe="")


def canonical_query(params: dict[str, str]) -> str:
    return "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))


def sign(params: dict[str, str], secret: str, method: str = "GET") -> str:
    """Signature v1 of `params` (every parameter but Signature itself)."""
    string_to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical_query(params))}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def phone_number(to: str) -> str:
    # Contacts are typed by people ("139 0000 0000", "+86-139…"); Aliyun takes digits with an optional +86.
    return re.sub(r"[\s\-()]", "", to)


class AliyunSmsBackend(BaseSmsBackend):
    def __init__(self):
        missing = [name for name in _SETTINGS if not getattr(settings, name, "")]
        if missing:
            raise ImproperlyConfigured(f"ATRIUM_SMS_BACKEND=aliyun needs {', '.join(missing)}.")
        self.endpoint = settings.ATRIUM_SMS_ENDPOINT
        self.key_id = settings.ATRIUM_SMS_ACCESS_KEY_ID
        self.secret = settings.ATRIUM_SMS_ACCESS_KEY_SECRET
        self.timeout = settings.ATRIUM_SMS_TIMEOUT_SECONDS

    def params(self, message: SmsMessage) -> dict[str, str]:
        params = {
            "AccessKeyId": self.key_id, "Action": "SendSms", "Format": "JSON", "Version": API_VERSION,
            "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0", "SignatureNonce": uuid.uuid4().hex,
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "PhoneNumbers": phone_number(message.to), "SignName": settings.ATRIUM_SMS_SIGN_NAME,
            "TemplateCode": settings.ATRIUM_SMS_TEMPLATE_CODE,
            "TemplateParam": json.dumps({"content": message.text}, ensure_ascii=False),
        }
        if message.ref:
            params["OutId"] = message.ref
        return params

    def send_messages(self, messages: list[SmsMessage]) -> int:
        """Each message in a request of its own. Returns how many were accepted;
        raises the refusal if none was. An unknown outcome is raised at once:
        what was accepted before it stays accepted (the caller keeps the channel
        as handed over, never to be sent again)."""
        accepted, refused = 0, []
        with requests.Session() as session:
            for message in messages:
                try:
                    self._send(session, message)
                    accepted += 1
                except SmsNotSent as error:
                    refused.append(error)
        if refused and not accepted:
            # A refusal that may pass later wins over a permanent one: the row is then tried again whole.
            raise next((e for e in refused if not getattr(e, "permanent", False)), refused[0])
        for error in refused:
            # The others were accepted; like an SMTP server refusing one recipient of several.
            log.warning("%s", error)
        return accepted

    def _send(self, session: requests.Session, message: SmsMessage) -> str:
        params = self.params(message)
        params["Signature"] = sign(params, self.secret)
        url = self.endpoint + "?" + "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in params.items())
        try:
            response = session.get(url, timeout=self.timeout)
        except requests.ConnectTimeout as error:
            raise SmsNotSent(f"SMS gateway {self.endpoint} not reached: {error}") from error
        except requests.ConnectionError as error:
            if isinstance(getattr(error.args[0] if error.args else None, "reason", None), NewConnectionError):
                raise SmsNotSent(f"SMS gateway {self.endpoint} not reached: {error}") from error
            raise SmsOutcomeUnknown(f"SMS to {message.ref or 'a contact'}: connection lost: {error}") from error
        except requests.RequestException as error:
            raise SmsOutcomeUnknown(f"SMS to {message.ref or 'a contact'}: no answer: {error}") from error
        try:
            body = response.json()
            code = body["Code"]
        except (ValueError, KeyError, TypeError) as error:
            raise SmsOutcomeUnknown(
                f"SMS to {message.ref or 'a contact'}: HTTP {response.status_code} without an Aliyun answer") from error
        if code != "OK":
            raise SmsRefused(message.to, code, body.get("Message", ""), permanent=refusal_is_permanent(code))
        log.info("SMS accepted: OutId=%s BizId=%s", message.ref, body.get("BizId", ""))
        return body.get("BizId", "")
