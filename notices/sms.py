"""Text messages through a pluggable backend, like Django's email backends.

The default writes to the log (console). A real gateway is a class with
``send_messages(messages) -> int`` named in ``ATRIUM_SMS_BACKEND``; the
locmem backend keeps messages in ``notices.sms.outbox`` for tests."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger("atrium.sms")

outbox: list[SmsMessage] = []


@dataclass(frozen=True)
class SmsMessage:
    to: str
    text: str


class BaseSmsBackend:
    def send_messages(self, messages: list[SmsMessage]) -> int:
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    def send_messages(self, messages: list[SmsMessage]) -> int:
        for message in messages:
            log.warning("SMS to %s: %s", message.to, message.text)
        return len(messages)


class LocmemSmsBackend(BaseSmsBackend):
    def send_messages(self, messages: list[SmsMessage]) -> int:
        outbox.extend(messages)
        return len(messages)


def get_sms_backend() -> BaseSmsBackend:
    return import_string(getattr(settings, "ATRIUM_SMS_BACKEND", "notices.sms.ConsoleSmsBackend"))()


def send_sms(messages: list[SmsMessage]) -> int:
    messages = [m for m in messages if m.to]
    return get_sms_backend().send_messages(messages) if messages else 0
