"""Many emails that differ only in a few values (a tenant's name, a link),
built as MIME once and filled in per recipient.

A fan-out sends the same letter notice to thousands of tenants. Building
each one through Django and the standard library's `email` package costs
about a millisecond of CPU (MIME objects, RFC 2047 headers, folding), more
than everything else per recipient together. `EmailBatch` renders the
templates once with marks where the values go, lets Django build and
serialise that one message, and then makes each recipient's message by
putting the values in place of the marks: in the text part as they are, in
the HTML part escaped as Django's templates escape them, and in the bytes
that the mail backend sends. Subject, From and Date are those of the batch;
To and Message-ID are each message's own.

The shortcut holds only while the bodies go out as 8-bit text, which Django
chooses for UTF-8 bodies without lines over 998 bytes: a template that comes
out quoted-printable, or a value that would break a line (a newline, a very
long value), gets Django's own message instead."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from email.utils import make_msgid

from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import forbid_multi_line_headers
from django.core.mail.utils import DNS_NAME
from django.utils.html import escape

# Letters and digits only: unchanged by HTML escaping, header folding and 8-bit bodies.
_TO_MARK = "atrium-batch-to@batch.invalid"
_ID_MARK = "<AtriumBatchMessageId@batch.invalid>"
_LINE_LIMIT = 998  # RFC 5322, bytes, without the line break


def _mark(kind: str, i: int) -> str:
    return f"AtriumBatch{kind}{i}Mark"


class _Mime:
    """A serialised message, with what Django's mail backends ask of one."""

    def __init__(self, data: bytes):
        self.data = data

    def as_bytes(self, unixfrom: bool = False, linesep: str = "\n") -> bytes:
        return self.data if linesep == "\n" else self.data.replace(b"\n", linesep.encode())

    def as_string(self, unixfrom: bool = False, linesep: str = "\n") -> str:
        return self.as_bytes(linesep=linesep).decode()

    def get_charset(self):
        return None  # backends then read the bytes as UTF-8

    def __bytes__(self) -> bytes:
        return self.data


class PreparedEmail(EmailMultiAlternatives):
    """A message of an `EmailBatch`: an ordinary Django email (body, to,
    alternatives as usual) whose MIME form was filled in, not rebuilt."""

    def __init__(self, *args, mime: bytes, **kwargs):
        super().__init__(*args, **kwargs)
        self._mime = mime

    def message(self):
        return _Mime(self._mime)


class EmailBatch:
    """`render(values)` returns (text, html or None) for one recipient's
    values, a dict keyed by `fields`; it is called twice, with marks."""

    def __init__(self, subject: str, render: Callable[[dict], tuple[str, str | None]], fields: Sequence[str],
                 from_email: str | None = None):
        self.subject, self.render, self.fields, self.from_email = subject, render, tuple(fields), from_email
        self.text_marks = {f: _mark("T", i) for i, f in enumerate(self.fields)}
        self.html_marks = {f: _mark("H", i) for i, f in enumerate(self.fields)}
        self.text, _ = render(self.text_marks)
        _, self.html = render(self.html_marks)
        proto = self._django(self.text, self.html, [_TO_MARK])
        proto.extra_headers["Message-ID"] = _ID_MARK
        mime = proto.message().as_bytes().decode()
        head, sep, rest = mime.partition(f"To: {_TO_MARK}\n")
        usable = sep and _ID_MARK in rest and "quoted-printable" not in mime and "base64" not in mime
        self._parts = (head, rest) if usable else None
        self._room = _LINE_LIMIT - max(len(line.encode()) for line in mime.splitlines())

    def _django(self, text: str, html: str | None, to: list[str]) -> EmailMultiAlternatives:
        message = EmailMultiAlternatives(self.subject, text, self.from_email, to)
        if html is not None:
            message.attach_alternative(html, "text/html")
        return message

    def _fill(self, template: str | None, marks: dict, values: dict, escaped: bool) -> str | None:
        if template is None:
            return None
        for f, mark in marks.items():
            template = template.replace(mark, escape(values[f]) if escaped else str(values[f]))
        return template

    def message(self, to: list[str], **values) -> EmailMultiAlternatives:
        values = {f: str(values[f]) for f in self.fields}
        text = self._fill(self.text, self.text_marks, values, escaped=False)
        html = self._fill(self.html, self.html_marks, values, escaped=True)
        # Generous: as if every value, escaped, ended up on the longest line.
        size = sum(len(escape(v).encode()) for v in values.values())
        if self._parts is None or size > self._room or any("\n" in v or "\r" in v for v in values.values()):
            return self._django(text, html, to)
        header = ", ".join(to)
        if not header.isascii() or "\n" in header or "\r" in header or "<" in header:
            _name, header = forbid_multi_line_headers("To", header, None)  # names, IDN: Django's encoding
        if len(header) > 72:  # folded as the email package would, one address a line
            header = header.replace(", ", ",\n ")
        head, rest = self._parts
        rest = rest.replace(_ID_MARK, make_msgid(domain=DNS_NAME))
        rest = self._fill(self._fill(rest, self.text_marks, values, False), self.html_marks, values, True)
        mime = f"{head}To: {header}\n{rest}".encode()
        message = PreparedEmail(self.subject, text, self.from_email, to, mime=mime)
        if html is not None:
            message.attach_alternative(html, "text/html")
        return message
