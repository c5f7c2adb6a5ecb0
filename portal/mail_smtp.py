"""Django's SMTP backend, with the envelope addresses checked more cheaply.

Django's backend runs every message's sender and recipients through
`sanitize_address`, which parses each with the standard library's RFC 5322
header parser: about half of the CPU a letter fan-out spends per tenant on
email. Nearly every address we send to is a plain `local@domain` of ASCII
letters, digits and the usual punctuation, for which that function returns
the address unchanged; those are recognised with one regular expression,
and everything else (names, quoting, non-ASCII, anything odd) still goes
through Django's own function. What is sent is byte for byte the same
(tests/portal/test_mail_smtp.py)."""

from __future__ import annotations

import functools
import re
import smtplib

from django.conf import settings
from django.core.mail.backends import smtp
from django.core.mail.message import sanitize_address

# A dot-atom local part (RFC 5322 atext) and a domain of ASCII labels of 1–63
# characters: what `sanitize_address` gives back as it is.
_PLAIN = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*"
)


@functools.lru_cache(maxsize=256)
def _sanitized(address: str, encoding: str) -> str:
    # Senders repeat (one per batch): Django's answer, remembered.
    return sanitize_address(address, encoding)


def envelope_address(address, encoding: str) -> str:
    """`sanitize_address(address, encoding)`, without parsing a plain address."""
    if isinstance(address, str) and _PLAIN.fullmatch(address):
        return address
    if isinstance(address, str):
        return _sanitized(address, encoding)
    return sanitize_address(address, encoding)


class _PlainEnvelope:
    """smtplib's MAIL FROM and RCPT TO, without re-parsing a plain address:
    smtplib runs each through `email.utils.parseaddr` (`quoteaddr`), which
    for `local@domain` gives `<local@domain>` — written here directly. Any
    other address, and SMTPUTF8, go to smtplib's own method."""

    def _options(self, options) -> str:
        return " " + " ".join(options) if options and self.does_esmtp else ""

    def mail(self, sender, options=()):
        if not _PLAIN.fullmatch(sender) or any(o.lower() == "smtputf8" for o in options):
            return super().mail(sender, options)
        self.putcmd("mail", f"FROM:<{sender}>{self._options(options)}")
        return self.getreply()

    def rcpt(self, recip, options=()):
        if not _PLAIN.fullmatch(recip):
            return super().rcpt(recip, options)
        self.putcmd("rcpt", f"TO:<{recip}>{self._options(options)}")
        return self.getreply()


class _SMTP(_PlainEnvelope, smtplib.SMTP):
    pass


class _SMTP_SSL(_PlainEnvelope, smtplib.SMTP_SSL):
    pass


class EmailBackend(smtp.EmailBackend):
    @property
    def connection_class(self):
        return _SMTP_SSL if self.use_ssl else _SMTP

    def _send(self, email_message):
        # Django's own `_send` (5.2), with `envelope_address` for `sanitize_address`.
        if not email_message.recipients():
            return False
        encoding = email_message.encoding or settings.DEFAULT_CHARSET
        from_email = envelope_address(email_message.from_email, encoding)
        recipients = [envelope_address(addr, encoding) for addr in email_message.recipients()]
        message = email_message.message()
        try:
            self.connection.sendmail(from_email, recipients, message.as_bytes(linesep="\r\n"))
        except smtplib.SMTPException:
            if not self.fail_silently:
                raise
            return False
        return True
