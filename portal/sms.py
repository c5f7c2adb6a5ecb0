"""Text messages through a pluggable backend, like Django's email backends.

``ATRIUM_SMS_BACKEND`` names it: ``console`` prints each message (the
default, also in the demo, so texts show in the worker's terminal),
``locmem`` keeps them in ``outbox`` (tests), ``aliyun`` sends through
Alibaba Cloud SMS (portal.sms_aliyun). Another gateway is one class with
``send_messages(messages) -> int``; set the setting to its dotted path.
Letters, signing codes and broadcast alerts all send through here.

What a gateway's answer means to portal.outbox (at most once to a person):
it returns how many messages it accepted; it raises `SmsNotSent` (or its
`SmsRefused`) when none was accepted and none can have gone out — the message
may be tried again, unless the refusal is `permanent` (the number itself is
refused: recorded on the row, never tried again); anything else it raises (`SmsOutcomeUnknown`, say a
timeout after the request went out) leaves the message as "outcome unknown",
never sent again."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.module_loading import import_string

outbox: list[SmsMessage] = []


@dataclass(frozen=True)
class SmsMessage:
    to: str
    text: str
    # Atrium's name for the message ("delivery:12"), given to gateways that
    # keep one (Aliyun's OutId), so their records can be matched to ours.
    ref: str = field(default="", compare=False)


class SmsNotSent(Exception):
    """Nothing went out: the gateway could not be reached, or said no."""


class SmsRefused(SmsNotSent):
    """The gateway answered no (a bad number, a rate limit, a bad signature).
    `permanent`: the refusal is about this recipient and will not change by
    trying again (a number that is not a mobile number); a rate limit or a
    configuration error is not permanent."""

    def __init__(self, to: str, code: str, message: str = "", *, permanent: bool = True):
        super().__init__(f"SMS gateway refused a message ({code}): {message}".rstrip(": "))
        self.to, self.code, self.message, self.permanent = to, code, message, permanent


class SmsOutcomeUnknown(Exception):
    """The request went out and no answer came back: the text may have been sent."""


class BaseSmsBackend:
    def send_messages(self, messages: list[SmsMessage]) -> int:
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    def send_messages(self, messages: list[SmsMessage]) -> int:
        for message in messages:
            sys.stdout.write(f"[SMS to {message.to}] {message.text}\n")
        sys.stdout.flush()
        return len(messages)


class LocmemSmsBackend(BaseSmsBackend):
    def send_messages(self, messages: list[SmsMessage]) -> int:
        outbox.extend(messages)
        return len(messages)


_ALIASES = {"console": "portal.sms.ConsoleSmsBackend", "locmem": "portal.sms.LocmemSmsBackend",
            "aliyun": "portal.sms_aliyun.AliyunSmsBackend"}


def get_sms_backend() -> BaseSmsBackend:
    name = getattr(settings, "ATRIUM_SMS_BACKEND", "console") or "console"
    return import_string(_ALIASES.get(name, name))()


def send_sms(messages: list[SmsMessage]) -> int:
    messages = [m for m in messages if m.to]
    return get_sms_backend().send_messages(messages) if messages else 0


def send_text(to: list[str], text: str) -> int:
    """The same text to several numbers, each once."""
    return send_sms([SmsMessage(to=number, text=text) for number in dict.fromkeys(to) if number])
