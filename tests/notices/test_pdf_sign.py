import datetime as dt
import hashlib
import io
import os
import re

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from PIL import Image
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from notices.pdf.render import render_letter
from notices.pdf.seal import make_demo_certificate, make_seal_png, self_signed
from notices.pdf.sign import SignError, sign_pdf, validate_pdf
from notices.pdf.stamp import stamp_letter
from tests.notices import (
    COMPANY,
    demo_keys,
    make_context,
    rasterize,
    red_pixels_in_box,
    seal_png,
)


@pytest.fixture(scope="module")
def rendered():
    return render_letter(make_context(), seal="placeholder")


@pytest.fixture(scope="module")
def signed_pdf(rendered) -> bytes:
    key_pem, cert_pem = demo_keys()
    return sign_pdf(
        rendered.pdf, key_pem=key_pem, cert_pem=cert_pem, seal_png=seal_png(), seal_box=rendered.seal_box
    )


def byte_range(pdf: bytes) -> list[int]:
    match = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    assert match, "no /ByteRange in signed PDF"
    return [int(n) for n in match.groups()]


def make_tsa() -> tuple[asn1_x509.Certificate, asn1_keys.PrivateKeyInfo, bytes]:
    """A throwaway RSA timestamping authority (DummyTimeStamper is RSA-only)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test TSA")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        self_signed(name, key, valid_from=now - dt.timedelta(days=1), valid_until=now + dt.timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(key, hashes.SHA256())
    )
    der_key = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    return (
        asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        asn1_keys.PrivateKeyInfo.load(der_key),
        cert_pem,
    )


def test_the_signature_validates_as_intact_and_trusted_with_the_demo_root(signed_pdf):
    result = validate_pdf(signed_pdf, trust_cert_pem=demo_keys()[1])
    assert result.signed and result.intact and result.trusted, result
    assert result.covers_whole_file
    assert result.signer == "朝阳大悦城电子公章"
    assert result.signed_at is not None
    assert abs(result.signed_at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)
    assert result.error == ""


def test_the_signature_is_pades(signed_pdf):
    assert b"/ETSI.CAdES.detached" in signed_pdf
    assert b"/adbe.pkcs7.detached" not in signed_pdf


def test_signing_only_appends_to_the_rendered_pdf(rendered, signed_pdf):
    assert signed_pdf.startswith(rendered.pdf)  # incremental update: page bytes untouched


def test_flipping_one_byte_inside_the_signed_range_is_detected(signed_pdf):
    start1, len1, start2, len2 = byte_range(signed_pdf)
    positions = [start1 + len1 // 2, start1 + len1 - 10, start2 + 5, start2 + len2 // 2]
    for position in positions:
        tampered = bytearray(signed_pdf)
        tampered[position] ^= 0x01
        result = validate_pdf(bytes(tampered), trust_cert_pem=demo_keys()[1])
        assert not (result.signed and result.intact), (position, result)
        assert result.error


def test_editing_the_signed_part_of_the_file_is_detected(signed_pdf):
    # A forger edits the page size in the rendered part, keeping lengths equal.
    tampered = signed_pdf.replace(b"595.275591", b"596.275591", 1)
    assert tampered != signed_pdf
    result = validate_pdf(tampered, trust_cert_pem=demo_keys()[1])
    assert result.signed and not result.intact


def test_bytes_appended_after_signing_mean_it_no_longer_covers_the_whole_file(signed_pdf):
    result = validate_pdf(signed_pdf + b"\n% appended after signing\n", trust_cert_pem=demo_keys()[1])
    assert result.signed
    assert not result.covers_whole_file


def test_without_a_trust_root_integrity_is_still_checked(signed_pdf):
    result = validate_pdf(signed_pdf, trust_cert_pem=None)
    assert result.signed and result.intact and not result.trusted


def test_a_signature_from_another_root_is_intact_but_not_trusted(signed_pdf):
    _, other_cert = make_demo_certificate("别人", "某某公司")
    result = validate_pdf(signed_pdf, trust_cert_pem=other_cert)
    assert result.signed and result.intact and not result.trusted
    assert "not trusted" in result.error


@pytest.mark.parametrize(
    "garbage",
    [
        b"",
        os.urandom(4096),
        b"%PDF-1.7\n" + os.urandom(2048),
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF",
        "not bytes at all",
    ],
    ids=["empty", "random", "pdf-header-then-random", "minimal-broken-pdf", "str"],
)
def test_validate_pdf_never_raises_on_garbage(garbage):
    result = validate_pdf(garbage, trust_cert_pem=demo_keys()[1])
    assert result.signed is False
    assert result.error


def test_validate_pdf_on_a_truncated_signed_pdf_does_not_raise(signed_pdf):
    for cut in (len(signed_pdf) // 2, len(signed_pdf) - 200, 100):
        result = validate_pdf(signed_pdf[:cut], trust_cert_pem=demo_keys()[1])
        assert not (result.signed and result.intact and result.covers_whole_file)


def test_an_unsigned_pdf_reports_signed_false(rendered):
    result = validate_pdf(rendered.pdf, trust_cert_pem=demo_keys()[1])
    assert result.signed is False
    assert "no signature" in result.error


def test_a_dummy_timestamp_is_embedded_when_given(rendered):
    tsa_cert, tsa_key, tsa_pem = make_tsa()
    when = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)
    key_pem, cert_pem = demo_keys()
    pdf = sign_pdf(
        rendered.pdf,
        key_pem=key_pem,
        cert_pem=cert_pem,
        seal_png=seal_png(),
        seal_box=rendered.seal_box,
        timestamper=DummyTimeStamper(tsa_cert=tsa_cert, tsa_key=tsa_key, fixed_dt=when),
    )
    result = validate_pdf(pdf, trust_cert_pem=cert_pem, extra_trust_pems=[tsa_pem])
    assert result.intact and result.trusted, result
    assert result.timestamped
    assert result.signed_at == when


def test_without_a_timestamper_there_is_no_timestamp(signed_pdf):
    assert validate_pdf(signed_pdf, trust_cert_pem=demo_keys()[1]).timestamped is False


def test_the_visible_seal_exists_only_as_the_signature_appearance(rendered, signed_pdf, tmp_path):
    # The rendered page only reserves the seal's box; the red seal shows up
    # once the signature (whose appearance it is) is added.
    assert red_pixels_in_box(rasterize(rendered.pdf, 1, tmp_path), rendered.seal_box) == 0
    assert red_pixels_in_box(rasterize(signed_pdf, 1, tmp_path), rendered.seal_box) > 500


def test_sign_pdf_rejects_a_bad_key():
    with pytest.raises(SignError):
        sign_pdf(b"%PDF-1.7", key_pem=b"nope", cert_pem=demo_keys()[1], seal_png=seal_png())


def test_stamp_letter_hashes_the_final_signed_bytes():
    key_pem, cert_pem = demo_keys()
    stamped = stamp_letter(make_context(), key_pem=key_pem, cert_pem=cert_pem)
    assert stamped.sha256 == hashlib.sha256(stamped.pdf).hexdigest()
    assert stamped.pages == 1
    result = validate_pdf(stamped.pdf, trust_cert_pem=cert_pem)
    assert result.intact and result.trusted and result.covers_whole_file


def test_the_demo_certificate_is_a_ten_year_signing_certificate():
    key_pem, cert_pem = make_demo_certificate("测试公章", COMPANY)
    cert = x509.load_pem_x509_certificate(cert_pem)
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment  # content_commitment = nonRepudiation
    assert not usage.key_cert_sign
    validity = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert dt.timedelta(days=3650) <= validity <= dt.timedelta(days=3660)
    assert cert.issuer == cert.subject
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == COMPANY
    assert serialization.load_pem_private_key(key_pem, password=None).public_key() == cert.public_key()


def test_the_seal_picture_is_a_red_ring_on_a_transparent_background():
    image = Image.open(io.BytesIO(make_seal_png(COMPANY, size=300)))
    assert image.mode == "RGBA" and image.size == (300, 300)
    assert image.getpixel((2, 2))[3] == 0  # corner: transparent
    assert image.getpixel((150, 150))[:3][0] > 180  # star in the middle: red
    r, g, b, a = image.getpixel((150, 8))  # top of the ring
    assert a > 200 and r > 180 and g < 80 and b < 80
