"""Text messages through a pluggable backend, like Django's email backends.

``ATRIUM_SMS_BACKEND`` names it: ``console`` prints each message (the
default, also in the demo, so texts show in the worker's terminal),
``locmem`` keeps them in ``outbox`` (tests). A real gateway is one class
with ``send_messages(messages) -> int``; set the setting to its dotted path.
Letters, signing codes and broadcast alerts all send through here."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

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
            sys.stdout.write(f"[SMS to {message.to}] {message.text}\n")
        sys.stdout.flush()
        return len(messages)


class LocmemSmsBackend(BaseSmsBackend):
    def send_messages(self, messages: list[SmsMessage]) -> int:
        outbox.extend(messages)
        return len(messages)


_ALIASES = {"console": "portal.sms.ConsoleSmsBackend", "locmem": "portal.sms.LocmemSmsBackend"}


def get_sms_backend() -> BaseSmsBackend:
    name = getattr(settings, "ATRIUM_SMS_BACKEND", "console") or "console"
    return import_string(_ALIASES.get(name, name))()


def send_sms(messages: list[SmsMessage]) -> int:
    messages = [m for m in messages if m.to]
    return get_sms_backend().send_messages(messages) if messages else 0


def send_text(to: list[str], text: str) -> int:
    """The same text to several numbers, each once."""
    return send_sms([SmsMessage(to=number, text=text) for number in dict.fromkeys(to) if number])
