"""Demo seal picture (圆形公章) and demo signing certificate.

The picture and the certificate are two halves of one thing. A picture of a
seal pasted into a PDF proves nothing: anyone can copy it, and later edits
to the letter go unnoticed. Under the PRC Electronic Signature Law (art. 13)
a reliable electronic signature requires that later changes to the signed
data can be detected, so the seal used by :mod:`notices.pdf.sign` is a
cryptographic (PAdES) signature over the final PDF bytes, and this picture
is only its *visible appearance*.

Both generators here are for demos and tests. In production the key and
certificate come from the landlord's CA-issued seal certificate, and the seal
picture from the registered seal impression.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import math
import shutil
import subprocess
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from PIL import Image, ImageDraw, ImageFont

SEAL_RED = (218, 37, 29, 255)  # the usual vermilion of an official seal

# (fontconfig pattern, file to try when fc-match is unavailable, ttc index)
_FONT_CANDIDATES = (
    ("Noto Sans CJK SC:bold", "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),
    ("Noto Sans CJK SC", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("WenQuanYi Zen Hei", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
)


@functools.cache
def cjk_font_file() -> tuple[str, int]:
    """Return (path, ttc index) of a CJK font, via fontconfig when possible."""
    fc_match = shutil.which("fc-match")
    for pattern, fallback, fallback_index in _FONT_CANDIDATES:
        if fc_match:
            try:
                found = subprocess.run(  # noqa: S603 — fixed argv, no shell
                    [fc_match, "-f", "%{file}|%{index}|%{family}", pattern],
                    capture_output=True, text=True, timeout=5, check=True,
                ).stdout  # fmt: skip
                path, index, family = found.split("|", 2)
                # fc-match always answers; make sure it did not substitute a
                # Latin-only font for the CJK family we asked for.
                if ("CJK" in family or "WenQuanYi" in family) and Path(path).is_file():
                    return path, int(index or 0)
            except (OSError, ValueError, subprocess.SubprocessError):
                pass
        if Path(fallback).is_file():
            return fallback, fallback_index
    raise RuntimeError("no CJK font found: install fonts-noto-cjk or fonts-wqy-zenhei")


def _star_points(cx: float, cy: float, r_outer: float) -> list[tuple[float, float]]:
    r_inner = r_outer * math.sin(math.radians(18)) / math.sin(math.radians(126))
    points = []
    for k in range(10):
        r = r_outer if k % 2 == 0 else r_inner
        angle = math.radians(-90 + k * 36)  # first point straight up
        points.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    return points


def make_seal_png(name: str, *, size: int = 400) -> bytes:
    """Draw a red round company seal for ``name``; return RGBA PNG bytes.

    Red ring, the name along the upper arc (characters upright relative to
    the centre, reading clockwise), a five-pointed star in the middle,
    transparent background. Drawn at 3x and downsampled for smooth edges.
    """
    scale = 3
    s = size * scale
    c = s / 2
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)

    ring = s * 0.035
    margin = s * 0.01  # PIL draws the outline inward from the bounding box
    draw.ellipse((margin, margin, s - margin, s - margin), outline=SEAL_RED, width=round(ring))
    draw.polygon(_star_points(c, c, s * 0.16), fill=SEAL_RED)

    chars = [ch for ch in name.strip() if not ch.isspace()] or ["印"]
    n = len(chars)
    # Text spans up to ~240° of the ring, centred on the top; fewer
    # characters get a narrower arc so they do not float apart.
    span = min(240.0, max(150.0, 22.0 * n))
    font_px = min(s * 0.13, (2 * math.pi * s * 0.36) * (span / 360) / n * 0.9)
    font_path, font_index = cjk_font_file()
    font = ImageFont.truetype(font_path, round(font_px), index=font_index)
    text_radius = c - margin - ring - font_px * 0.62

    for i, ch in enumerate(chars):
        # Angle measured clockwise from 12 o'clock.
        theta = -span / 2 + span * (i + 0.5) / n
        tile = Image.new("RGBA", (round(font_px * 1.4),) * 2, (0, 0, 0, 0))
        tile_draw = ImageDraw.Draw(tile)
        tile_draw.text((tile.width / 2, tile.height / 2), ch, font=font, fill=SEAL_RED, anchor="mm")
        tile = tile.rotate(-theta, resample=Image.Resampling.BICUBIC, expand=True)
        x = c + text_radius * math.sin(math.radians(theta))
        y = c - text_radius * math.cos(math.radians(theta))
        img.alpha_composite(tile, (round(x - tile.width / 2), round(y - tile.height / 2)))

    img = img.resize((size, size), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True)
    return out.getvalue()


def self_signed(name: x509.Name, key, *, valid_from: dt.datetime, valid_until: dt.datetime) -> x509.CertificateBuilder:
    """A certificate builder for `key`, issued by its own `name` with a fresh
    serial; the caller adds its extensions and signs."""
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid_from)
        .not_valid_after(valid_until)
    )


def make_demo_certificate(common_name: str, organization: str) -> tuple[bytes, bytes]:
    """Return (PEM private key, PEM self-signed certificate) for demos/tests.

    EC P-256 (fast to generate and to sign with), valid 10 years, key usage
    digitalSignature + nonRepudiation — the usage PAdES validators expect of
    a signing (seal) certificate.
    """
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        self_signed(name, key, valid_from=now - dt.timedelta(minutes=5), valid_until=now + dt.timedelta(days=3653))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=True,  # = nonRepudiation
                key_encipherment=False, data_encipherment=False, key_agreement=False,
                key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )  # fmt: skip
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return key_pem, cert.public_bytes(serialization.Encoding.PEM)
