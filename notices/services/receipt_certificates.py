"""The receipt certificate (签收回执): a sealed PDF made after a receipt is
recorded, online or on paper."""

from __future__ import annotations

import base64
import io
import logging
from datetime import UTC
from html import escape

import segno
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

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

_METHOD_ZH = {
    SignMethod.EMAIL_CODE: "电子签收（邮件一次性验证码确认）",
    SignMethod.SMS_CODE: "电子签收（短信一次性验证码确认）",
    SignMethod.PASSWORD: "电子签收（账户密码确认）",
    SignMethod.PAPER: "纸质签收（工作人员登记并上传扫描件）",
}


def _when(value) -> str:
    if not value:
        return "—"
    local = timezone.localtime(value)
    return f"{local:%Y-%m-%d %H:%M:%S}（北京时间）／{value.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"


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


def certificate_context(receipt: Receipt, template: LetterTemplate) -> LetterContext:
    letter, tenant, centre = receipt.letter, receipt.tenant, receipt.letter.centre
    rows = [
        ("函件文号", letter.doc_number),
        ("函件标题", letter.title),
        ("发文单位", template.signatory_name),
        ("函件 SHA-256", _Hash(letter.pdf_sha256)),
        ("签收文件 SHA-256", _Hash(receipt.pdf_sha256)),
        ("签收商户", f"{tenant.legal_name}（{tenant.trading_name}，{tenant.code}）"),
        ("签收人", receipt.signer_name + (f"（{receipt.signer.email}）" if receipt.signer else "")),
        ("送达时间", _when(receipt.delivery.created_at)),
        ("首次查阅时间", _when(receipt.delivery.first_viewed_at)),
        ("签收时间", _when(receipt.signed_at)),
        ("签收方式", _METHOD_ZH.get(receipt.method, receipt.method)),
        ("签收 IP 地址", receipt.ip_address or "—"),
        ("浏览器", receipt.user_agent or "—"),
    ]
    if receipt.is_paper:
        rows += [("登记人", str(receipt.recorded_by)), ("登记时间", _when(receipt.recorded_at)),
                 ("扫描件 SHA-256", _Hash(receipt.scan_sha256))]
    rows.append(("证据链哈希", _Hash(receipt.evidence_hash)))
    table = "".join(
        f"<tr><th>{escape(k)}</th><td>{_hash_html(v) if isinstance(v, _Hash) else escape(str(v))}</td></tr>"
        for k, v in rows
    )
    url = letter_verify_url(letter.pdf_sha256)
    qr = base64.b64encode(certificate_qr_png(url)).decode("ascii")
    body = (
        '<div class="certificate">'
        f"<p>兹证明{escape(tenant.legal_name)}已签收下列函件。本回执由系统根据签收记录自动生成，并加盖电子公章。</p>"
        f"<table><tbody>{table}</tbody></table>"
        f'<div class="verify"><img class="qr" alt="" src="data:image/png;base64,{qr}"><div>'
        "<p>核验方式：扫描二维码，或在浏览器中打开下列地址，即可确认函件真实性及签收数量；"
        f'也可在该页面上传函件 PDF 核对。</p><p class="url">{escape(url)}</p></div></div>'
        "</div>"
    )
    return LetterContext(
        centre_name=centre.name, letterhead_name=template.letterhead_title,
        letterhead_address=centre.letterhead_address or centre.address,
        letterhead_phone=centre.letterhead_phone or centre.hotline,
        doc_number=f"{letter.doc_number} 签收回执 No.{receipt.pk:06d}", date=timezone.localdate(receipt.signed_at),
        addressee=tenant.legal_name, title="函件签收回执", body_html=body, signatory_name=template.signatory_name,
        logo_png=bytes(template.logo_png) if template.logo_png else None,
        seal_png=bytes(template.seal_png), compact=True,
    )


def _record_failure(receipt: Receipt, exc: Exception) -> None:
    attempts = receipt.certificate_attempts + 1
    Receipt.objects.filter(pk=receipt.pk).exclude(certificate_state=CertificateState.READY).update(
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
