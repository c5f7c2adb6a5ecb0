"""The receipt certificate (签收回执): a sealed PDF made after a receipt is
recorded, online or on paper."""

from __future__ import annotations

import base64
import functools
import io
import logging
from datetime import UTC
from html import escape

import segno
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language, override, pgettext

from notices.models import (
    CertificateState,
    LetterTemplate,
    Receipt,
    SignMethod,
)
from notices.pdf.render import LetterContext
from notices.pdf.stamp import stamp_letter
from notices.services.receipts import certificate_retry_at
from notices.services.verification import letter_verify_url
from portal.audit import audit_record

log = logging.getLogger(__name__)


class _Hash(str):
    """A table value shown as a hash (see _hash_html)."""

def _method_label(method: str) -> str:
    labels = {
        SignMethod.EMAIL_CODE: pgettext("receipt certificate", "Signed online (one-time code by email)"),
        SignMethod.SMS_CODE: pgettext("receipt certificate", "Signed online (one-time code by text message)"),
        SignMethod.PASSWORD: pgettext("receipt certificate", "Signed online (confirmed with the account password)"),
        SignMethod.PAPER: pgettext("receipt certificate", "Signed on paper (recorded by staff with the scan uploaded)"),
    }
    return labels.get(method, method)


def _when(value) -> str:
    if not value:
        return "—"
    local = timezone.localtime(value)
    beijing = pgettext("receipt certificate", "(Beijing time)")
    return f"{local:%Y-%m-%d %H:%M:%S} {beijing} / {value.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"


def _hash_html(value: str) -> str:
    """A 64-character hash in groups of eight in a monospace block: it breaks
    between groups, never in the middle of one."""
    if not value or value == "—":
        return "—"
    groups = " ".join(value[i : i + 8] for i in range(0, len(value), 8))
    return f'<code class="hash">{escape(groups)}</code>'


def certificate_qr_png(url: str) -> bytes:
    """The QR code (PNG) that opens ``url``; medium error correction, so a
    slightly smudged print still scans."""
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="png", scale=4, border=2)
    return buffer.getvalue()


def certificate_context(receipt: Receipt, template: LetterTemplate, *, language: str | None = None) -> LetterContext:
    """The certificate's page, in `language`: the one the signer read the
    letter in when signing online, else the site's default (Chinese)."""
    with override(language or receipt.certificate_language or settings.LANGUAGE_CODE):
        return _certificate_context(receipt, template)


def _rows(receipt: Receipt, template: LetterTemplate) -> list[tuple[str, object]]:
    letter, tenant = receipt.letter, receipt.tenant
    p = functools.partial(pgettext, "receipt certificate")
    rows = [
        (p("Letter number"), letter.doc_number),
        (p("Letter title"), letter.title),
        (p("Issued by"), template.signatory_name),
        (p("Letter SHA-256"), _Hash(letter.pdf_sha256)),
        (p("SHA-256 of the document signed for"), _Hash(receipt.pdf_sha256)),
        (p("Tenant"), f"{tenant.legal_name} ({tenant.trading_name}, {tenant.code})"),
        (p("Signed by"), receipt.signer_name + (f" ({receipt.signer.email})" if receipt.signer else "")),
        (p("Delivered at"), _when(receipt.delivery.created_at)),
        (p("First read at"), _when(receipt.delivery.first_viewed_at)),
        (p("Signed at"), _when(receipt.signed_at)),
        (p("How"), _method_label(receipt.method)),
        (p("IP address"), receipt.ip_address or "—"),
        (p("Browser"), receipt.user_agent or "—"),
    ]
    if receipt.is_paper:
        rows += [(p("Recorded by"), str(receipt.recorded_by)), (p("Recorded at"), _when(receipt.recorded_at)),
                 (p("SHA-256 of the scan"), _Hash(receipt.scan_sha256))]
    rows.append((p("Evidence chain hash"), _Hash(receipt.evidence_hash)))
    return rows


def _certificate_context(receipt: Receipt, template: LetterTemplate) -> LetterContext:
    letter, tenant, centre = receipt.letter, receipt.tenant, receipt.letter.centre
    p = functools.partial(pgettext, "receipt certificate")
    table = "".join(
        f"<tr><th>{escape(k)}</th><td>{_hash_html(v) if isinstance(v, _Hash) else escape(str(v))}</td></tr>"
        for k, v in _rows(receipt, template)
    )
    url = letter_verify_url(letter.pdf_sha256)
    qr = base64.b64encode(certificate_qr_png(url)).decode("ascii")
    intro = p("This certifies that %(tenant)s has signed for the letter below. This receipt was made by the system "
              "from the signing record and bears the electronic seal.") % {"tenant": tenant.legal_name}
    how = p("To check: scan the QR code or open the address below in a browser to confirm that the letter is genuine "
            "and how many have signed for it; the letter's PDF can also be uploaded there to compare.")
    body = (
        '<div class="certificate">'
        f"<p>{escape(intro)}</p>"
        f"<table><tbody>{table}</tbody></table>"
        f'<div class="verify"><img class="qr" alt="" src="data:image/png;base64,{qr}"><div>'
        f'<p>{escape(how)}</p><p class="url">{escape(url)}</p></div></div>'
        "</div>"
    )
    number = p("%(number)s receipt certificate No.%(id)s") % {"number": letter.doc_number, "id": f"{receipt.pk:06d}"}
    return LetterContext(
        centre_name=centre.name, letterhead_name=template.letterhead_title,
        letterhead_address=centre.letterhead_address or centre.address,
        letterhead_phone=centre.letterhead_phone or centre.hotline,
        doc_number=number, date=timezone.localdate(receipt.signed_at),
        addressee=tenant.legal_name, title=p("Receipt certificate"), body_html=body,
        signatory_name=template.signatory_name,
        logo_png=bytes(template.logo_png) if template.logo_png else None,
        seal_png=bytes(template.seal_png), compact=True,
        lang="zh-CN" if (get_language() or "").startswith("zh") else (get_language() or "en"),
    )


def _record_failure(receipt: Receipt, exc: Exception) -> None:
    # Counted from the locked row, not the copy read before rendering: two
    # workers failing on the same receipt (a sweep re-queued it) are two
    # attempts, and the backoff grows with both.
    with transaction.atomic():
        locked = Receipt.objects.select_for_update().filter(pk=receipt.pk).exclude(
            certificate_state=CertificateState.READY).first()
        if locked is None:
            return
        attempts = locked.certificate_attempts + 1
        Receipt.objects.filter(pk=receipt.pk).update(
            certificate_state=CertificateState.FAILED, certificate_error=f"{type(exc).__name__}: {exc}"[:2000],
            certificate_attempts=attempts, certificate_retry_at=certificate_retry_at(attempts, timezone.now()),
        )


def receipt_certificate_make(*, receipt_id: int, timestamper=None) -> Receipt:
    """Render the receipt certificate and seal it with the centre's seal.
    Made once; a rerun finds it made."""
    receipt = Receipt.objects.select_related("letter__centre", "tenant", "signer", "recorded_by", "delivery").get(pk=receipt_id)
    if receipt.certificate_state == CertificateState.READY:
        return receipt
    template = LetterTemplate.objects.filter(centre=receipt.letter.centre).first()
    try:
        if template is None or not template.has_seal:
            raise ValueError("the centre has no letter template with a seal")
        stamped = stamp_letter(
            certificate_context(receipt, template), key_pem=template.seal_key_pem(),
            cert_pem=template.seal_certificate_pem.encode(), timestamp_url=template.timestamp_url or None,
            timestamper=timestamper,
        )
    except Exception as exc:
        log.exception("Receipt certificate %s failed", receipt_id)
        _record_failure(receipt, exc)
        raise
    with transaction.atomic():
        receipt = Receipt.objects.select_for_update().get(pk=receipt_id)
        if receipt.certificate_state == CertificateState.READY:
            return receipt
        receipt.certificate.save(f"receipt-{receipt.pk:06d}-{stamped.sha256[:12]}.pdf", ContentFile(stamped.pdf), save=False)
        Receipt.objects.filter(pk=receipt_id).update(
            certificate=receipt.certificate.name, certificate_sha256=stamped.sha256,
            certificate_state=CertificateState.READY, certificate_error="", certificate_retry_at=None,
        )
        audit_record(actor=None, action="receipt.certificate_sealed", obj=receipt.letter,
                     details={"receipt": receipt.pk, "sha256": stamped.sha256})
    receipt.refresh_from_db()
    return receipt
