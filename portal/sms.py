"""A small SMS backend interface, chosen by ATRIUM_SMS_BACKEND.

Like Django's email backends: ``console`` prints messages (the default, also
in the demo), ``locmem`` keeps them in ``outbox`` (tests). A real gateway is
one class with ``send_messages(messages) -> int``; set the setting to its
dotted path."""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

outbox: list[SMSMessage] = []


@dataclass(frozen=True)
class SMSMessage:
    to: str
    text: str


class ConsoleSMSBackend:
    def send_messages(self, messages: list[SMSMessage]) -> int:
        for message in messages:
            sys.stdout.write(f"[SMS to {message.to}] {message.text}\n")
        sys.stdout.flush()
        return len(messages)


class LocmemSMSBackend:
    def send_messages(self, messages: list[SMSMessage]) -> int:
        outbox.extend(messages)
        return len(messages)


_ALIASES = {"console": "portal.sms.ConsoleSMSBackend", "locmem": "portal.sms.LocmemSMSBackend"}


def get_backend():
    name = getattr(settings, "ATRIUM_SMS_BACKEND", "console") or "console"
    return import_string(_ALIASES.get(name, name))()


def send_sms(to: list[str], text: str) -> int:
    numbers = [n for n in dict.fromkeys(to) if n]
    if not numbers:
        return 0
    return get_backend().send_messages([SMSMessage(to=n, text=text) for n in numbers])
