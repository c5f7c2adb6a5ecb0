"""Is this a genuine, unaltered letter? One answer for /verify/, the letter
page and `manage.py verify_letter`.

A letter is genuine when its exact bytes are those Atrium stamped (the SHA-256
recorded at stamping) *and*, when the bytes are at hand, the PAdES signature
covers the whole file, is intact and chains to the certificate the seal used
that day. A hash that matches no stamped letter needs no signature check: no
byte sequence other than the stored one can be that letter, so the verdict is
immediate (validating a stranger's PDF against nothing only costs time).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from notices.models import Letter, LetterStatus, SealUse

if TYPE_CHECKING:
    from notices.pdf.sign import ValidationResult


@dataclass
class Verdict:
    sha256: str
    letter: Letter | None = None
    validation: ValidationResult | None = None
    genuine: bool = False
    reason: str = ""
    delivered: int = 0
    signed: int = 0


def _quiet_validate(data: bytes, trust_cert_pem: bytes | None) -> ValidationResult:
    # pyHanko logs a full traceback for a broken signature before it reports
    # it; the verdict already says what failed, so the log would only alarm.
    # pyHanko is imported here, not at the top: it takes ~0.3 s that every
    # process importing the verification service would pay at start-up.
    from notices.pdf.sign import validate_pdf

    logger = logging.getLogger("pyhanko")
    previous = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        return validate_pdf(data, trust_cert_pem=trust_cert_pem)
    finally:
        logger.setLevel(previous)


def letter_validate_stored(letter: Letter, data: bytes) -> ValidationResult:
    """The signature check of a stamped letter's bytes against its seal's certificate."""
    seal_use = SealUse.objects.filter(letter=letter).first()
    return _quiet_validate(data, seal_use.certificate_pem.encode() if seal_use else None)


def letter_verify(*, data: bytes | None = None, sha256: str | None = None) -> Verdict:
    """Judge a PDF (`data`) or just its hash (`sha256`)."""
    if data is None and not sha256:
        raise ValueError("letter_verify needs the PDF bytes or their SHA-256")
    digest = hashlib.sha256(data).hexdigest() if data is not None else sha256.strip().lower()
    verdict = Verdict(sha256=digest)
    letter = Letter.objects.filter(pdf_sha256=digest, status=LetterStatus.STAMPED).select_related("centre").first()
    if letter is None:
        verdict.reason = _("No stamped letter has exactly this content.")
        return verdict
    verdict.letter = letter
    # Counts only: who the recipients are is not public.
    verdict.delivered = letter.deliveries.count()
    verdict.signed = letter.receipts.count()
    if data is None:
        verdict.genuine = True
        verdict.reason = _("The hash is that of a stamped letter.")
        return verdict
    verdict.validation = result = letter_validate_stored(letter, data)
    verdict.genuine = bool(result.intact and result.trusted and result.covers_whole_file)
    verdict.reason = (
        _("The seal's signature is intact and covers the whole file.") if verdict.genuine
        else _("The content matches a stamped letter, but its seal's signature fails: %(error)s")
        % {"error": result.error or "-"}
    )
    return verdict


def letter_verify_url(sha256: str) -> str:
    """The full public address that checks the letter with this SHA-256: what
    a receipt certificate prints and its QR code opens (GET /verify/?sha256=…
    runs the check at once)."""
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    return f"{base}{reverse('notices:verify')}?{urlencode({'sha256': sha256})}"
