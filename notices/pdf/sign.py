"""PAdES signing of letters with a visible seal, and validation.

WHY a signature and not just the seal picture: a picture can be copied onto
any PDF and later edits go unnoticed. The PRC Electronic Signature Law
(art. 13) asks that changes after signing be detectable, so the seal is a
PAdES (ETSI.CAdES.detached) signature over the final PDF bytes, and the seal
picture is drawn as that signature's appearance. Strip the signature and the
picture goes with it.

Signing and validation use pyHanko. ``validate_pdf`` never raises: anything
unreadable is reported as ``signed=False`` with an ``error`` text.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass

from PIL import Image
from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.fields import SigFieldSpec, SigSeedSubFilter
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from notices.pdf.render import SealBox

# Used only when the caller does not pass the box where the letter reserved
# room for the seal (stamp_letter always does): last page, lower right,
# 40 mm square — roughly where a short letter's signature block lands.
DEFAULT_SEAL_BOX = SealBox(page_index=-1, x1=360.0, y1=120.0, x2=473.4, y2=233.4)


class SignError(Exception):
    """The PDF could not be signed (bad key/cert, unreadable PDF, TSA down)."""


@dataclass(frozen=True)
class ValidationResult:
    signed: bool
    intact: bool = False  # the signed bytes are unchanged and the CMS signature checks out
    trusted: bool = False  # the signer's certificate chains to the given trust root
    signer: str = ""
    signed_at: dt.datetime | None = None  # TSA time if timestamped, else the signer's claim
    covers_whole_file: bool = False  # nothing appended after the (last) signature
    error: str = ""
    timestamped: bool = False  # an RFC 3161 timestamp token is embedded
    signature_count: int = 0


def _load_signer(key_pem: bytes, cert_pem: bytes) -> signers.SimpleSigner:
    try:
        key = load_private_key_from_pemder_data(key_pem, passphrase=None)
        certs = list(load_certs_from_pemder_data(cert_pem))
    except (ValueError, TypeError) as exc:
        raise SignError(f"cannot load signing key/certificate: {exc}") from exc
    if not certs:
        raise SignError("no certificate in cert_pem")
    # First certificate is the signer's; any following ones are its chain.
    return signers.SimpleSigner(
        signing_cert=certs[0],
        signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs(certs),
    )


def _seal_style(seal_png: bytes) -> StaticStampStyle:
    image = Image.open(io.BytesIO(seal_png))
    image.load()
    if image.mode not in ("RGBA", "RGB", "LA", "L"):
        image = image.convert("RGBA")
    return StaticStampStyle(
        background=PdfImage(image),
        background_opacity=1.0,
        border_width=0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(0),
        ),
    )


def sign_pdf(
    pdf_bytes: bytes,
    *,
    key_pem: bytes,
    cert_pem: bytes,
    seal_png: bytes,
    field_name: str = "Seal",
    timestamp_url: str | None = None,
    timestamper: TimeStamper | None = None,
    seal_box: SealBox | None = None,
    reason: str = "公章",
    location: str | None = None,
) -> bytes:
    """Return ``pdf_bytes`` with a PAdES signature appended (incremental update).

    The seal picture is the signature's visible appearance, placed at
    ``seal_box`` (from :func:`notices.pdf.render.render_letter`, which knows
    where the signature block landed); without it, :data:`DEFAULT_SEAL_BOX`.
    With ``timestamp_url`` (an RFC 3161 TSA) or an explicit ``timestamper``
    the signature gets a signature timestamp (PAdES B-T).
    """
    box = seal_box or DEFAULT_SEAL_BOX
    signer = _load_signer(key_pem, cert_pem)
    if timestamper is None and timestamp_url:
        timestamper = HTTPTimeStamper(timestamp_url)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location,
    )
    pdf_signer = signers.PdfSigner(
        meta,
        signer=signer,
        timestamper=timestamper,
        stamp_style=_seal_style(seal_png),
        new_field_spec=SigFieldSpec(
            sig_field_name=field_name, on_page=box.page_index, box=box.box
        ),
    )
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes))
        out = pdf_signer.sign_pdf(writer, output=io.BytesIO())
    except (SigningError, ValueError, OSError) as exc:
        raise SignError(f"signing failed: {exc}") from exc
    return out.getvalue()


def _signer_name(cert) -> str:
    try:
        subject = cert.subject.native
        return subject.get("common_name") or cert.subject.human_friendly
    except Exception:  # noqa: BLE001 — a name is cosmetic; never fail validation for it
        return ""


def validate_pdf(
    pdf_bytes: bytes,
    *,
    trust_cert_pem: bytes | None,
    extra_trust_pems: Iterable[bytes] = (),
) -> ValidationResult:
    """Check every signature in ``pdf_bytes``; report on the document.

    ``intact``/``trusted`` hold only if they hold for *all* signatures;
    ``signer``, ``signed_at`` and ``covers_whole_file`` describe the last
    one. ``extra_trust_pems``: more roots, e.g. the TSA's. With no trust
    root at all (``trust_cert_pem=None``) integrity is still checked and
    ``trusted`` is False.
    Never raises — garbage in gives ``signed=False`` and an ``error``.
    """
    try:
        return _validate(pdf_bytes, trust_cert_pem, extra_trust_pems)
    except Exception as exc:  # noqa: BLE001 — contract: report, never raise
        return ValidationResult(signed=False, error=f"{type(exc).__name__}: {exc}"[:500])


def _validate(
    pdf_bytes: bytes, trust_cert_pem: bytes | None, extra_trust_pems: Iterable[bytes]
) -> ValidationResult:
    if not isinstance(pdf_bytes, bytes | bytearray) or pdf_bytes.lstrip()[:5] != b"%PDF-":
        return ValidationResult(signed=False, error="not a PDF file")
    roots = list(load_certs_from_pemder_data(trust_cert_pem)) if trust_cert_pem else []
    for pem in extra_trust_pems:
        roots.extend(load_certs_from_pemder_data(pem))
    reader = PdfFileReader(io.BytesIO(bytes(pdf_bytes)), strict=False)
    embedded = reader.embedded_signatures
    if not embedded:
        return ValidationResult(signed=False, error="no signature in the PDF")

    intact = trusted = True
    errors: list[str] = []
    status = None
    for sig in embedded:
        try:
            status = validate_pdf_signature(
                sig, signer_validation_context=ValidationContext(trust_roots=roots)
            )
        except Exception as exc:  # noqa: BLE001 — a broken signature is a finding
            intact = trusted = False
            errors.append(f"{sig.field_name}: {type(exc).__name__}: {exc}")
            status = None
            continue
        intact &= bool(status.intact and status.valid)
        trusted &= bool(status.trusted)
        if not (status.intact and status.valid):
            errors.append(f"{sig.field_name}: signed data was modified or signature is invalid")
        elif not status.trusted:
            errors.append(f"{sig.field_name}: signer certificate is not trusted")

    if status is None:
        return ValidationResult(
            signed=True, signature_count=len(embedded), error="; ".join(errors)[:500]
        )
    ts = status.timestamp_validity
    return ValidationResult(
        signed=True,
        intact=intact,
        trusted=trusted,
        signer=_signer_name(status.signing_cert),
        signed_at=ts.timestamp if ts is not None else status.signer_reported_dt,
        covers_whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        error="; ".join(errors)[:500],
        timestamped=ts is not None,
        signature_count=len(embedded),
    )
