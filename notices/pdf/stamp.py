"""Render + sign: the one call that produces an official, sealed letter."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from notices.pdf.render import DEFAULT_TIME_LIMIT, LetterContext, render_letter

if TYPE_CHECKING:
    from pyhanko.sign.timestamps import TimeStamper


@dataclass(frozen=True)
class StampedPdf:
    pdf: bytes
    sha256: str  # hex digest of the final, signed bytes (store it; compare on download)
    pages: int


def stamp_letter(
    context: LetterContext,
    *,
    key_pem: bytes,
    cert_pem: bytes,
    timestamp_url: str | None = None,
    timestamper: TimeStamper | None = None,
    time_limit: float = DEFAULT_TIME_LIMIT,
) -> StampedPdf:
    """Render ``context`` and seal it with a PAdES signature.

    The page only *reserves* the seal's place (placeholder); the seal picture
    is drawn as the signature's appearance at exactly that spot, so the
    visible seal cannot exist without the signature that backs it.
    """
    if not context.seal_png:
        raise ValueError("stamp_letter needs context.seal_png (the seal's appearance)")
    # pyHanko is imported here, not at the top: it takes ~0.3 s that every
    # process importing the letter services (web, manage.py) would pay.
    from notices.pdf.sign import sign_pdf

    rendered = render_letter(context, seal="placeholder", time_limit=time_limit)
    pdf = sign_pdf(
        rendered.pdf,
        key_pem=key_pem,
        cert_pem=cert_pem,
        seal_png=context.seal_png,
        timestamp_url=timestamp_url,
        timestamper=timestamper,
        seal_box=rendered.seal_box,
        location=context.centre_name or None,
    )
    return StampedPdf(pdf=pdf, sha256=hashlib.sha256(pdf).hexdigest(), pages=rendered.pages)
