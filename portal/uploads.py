"""Uploaded files are judged by their bytes, never by their name.

A file called `lease.pdf` that is really a script, or an image that is a ZIP,
is refused. Only the formats the archive and the service desk need are
recognised; everything else, and anything over the size limit, is refused
with a message in the user's language."""

from __future__ import annotations

import hashlib
import os
import uuid
import zipfile
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# (kind, extension) by leading bytes. WebP is RIFF....WEBP, checked below.
_MAGIC = [
    (b"%PDF-", "pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image", ".png"),
    (b"\xff\xd8\xff", "image", ".jpg"),
    (b"GIF87a", "image", ".gif"),
    (b"GIF89a", "image", ".gif"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "office", ".doc"),  # legacy OLE2: .doc/.xls/.ppt
]
_OOXML_EXT = {"word/": ".docx", "xl/": ".xlsx", "ppt/": ".pptx"}

DOCUMENT_KINDS = frozenset({"pdf", "image", "office"})
IMAGE_KINDS = frozenset({"image"})
AUDIO_KINDS = frozenset({"audio"})

# ISO base media brands of audio files (M4A from phones and recorders; 3GP
# from Android call recorders). An MP4 video has the same container: it is
# accepted as audio, the player only plays its sound track.
_ISO_AUDIO_BRANDS = (b"M4A ", b"M4B ", b"mp41", b"mp42", b"isom", b"iso2", b"3gp4", b"3gp5", b"3gp6", b"3g2a")


def _sniff_audio(head: bytes) -> tuple[str, str] | None:
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio", ".wav"
    if head.startswith(b"OggS"):
        return "audio", ".ogg"
    if head.startswith(b"#!AMR"):
        return "audio", ".amr"
    if head[4:8] == b"ftyp" and head[8:12] in _ISO_AUDIO_BRANDS:
        return "audio", ".m4a"
    if head.startswith(b"ID3"):
        return "audio", ".mp3"
    # A bare MPEG audio frame: 11 sync bits, then a layer that is not 00.
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06:
        return "audio", ".mp3"
    return None


def sniff(head: bytes, fileobj=None) -> tuple[str, str] | None:
    """(kind, extension) of a file from its first bytes, or None."""
    for magic, kind, ext in _MAGIC:
        if head.startswith(magic):
            return kind, ext
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image", ".webp"
    if head.startswith(b"PK\x03\x04") and fileobj is not None:
        return _sniff_ooxml(fileobj)
    return _sniff_audio(head)


def _sniff_ooxml(fileobj) -> tuple[str, str] | None:
    # Any ZIP starts with PK; an Office document has [Content_Types].xml and
    # one of the Office part folders. Macros (vbaProject.bin) are refused:
    # nothing executable goes into the archive.
    try:
        fileobj.seek(0)
        with zipfile.ZipFile(fileobj) as zf:
            names = zf.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        fileobj.seek(0)
    if "[Content_Types].xml" not in names or any(n.lower().endswith("vbaproject.bin") for n in names):
        return None
    for prefix, ext in _OOXML_EXT.items():
        if any(n.startswith(prefix) for n in names):
            return "office", ext
    return None


def validate_upload(upload, *, kinds=DOCUMENT_KINDS, max_bytes: int | None = None) -> str:
    """Raise ValidationError unless `upload` is one of `kinds` and small enough.

    Returns the extension that matches the content, so that the stored name
    never carries the uploader's extension."""
    limit = max_bytes if max_bytes is not None else settings.ATRIUM_UPLOAD_MAX_BYTES
    size = getattr(upload, "size", None)
    if size is None or size > limit:
        raise ValidationError(
            _("The file is too large: at most %(mb)s MB.") % {"mb": round(limit / 1024 / 1024, 1)}, code="too_large"
        )
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    upload.seek(0)
    head = upload.read(16)
    found = sniff(head, upload)
    upload.seek(0)
    if found is None or found[0] not in kinds:
        if kinds == IMAGE_KINDS:
            message = _("This file is not a picture. Upload a JPEG, PNG, GIF or WebP image.")
        elif kinds == AUDIO_KINDS:
            message = _("This file is not a recording. Upload an MP3, M4A, WAV, AMR or OGG audio file.")
        else:
            message = _("This file type is not accepted. Upload a PDF, an image (JPEG, PNG, GIF, WebP) or an Office document.")
        raise ValidationError(message, code="bad_type")
    return found[1]


def validate_photos(photos: Iterable) -> list[tuple[object, str]]:
    """Photos from a phone, each judged by its bytes, at most
    ATRIUM_REQUEST_MAX_PHOTOS at a time: [(upload, extension)]."""
    photos = list(photos or [])
    if len(photos) > settings.ATRIUM_REQUEST_MAX_PHOTOS:
        raise ValidationError(_("At most %(n)s photos at a time.") % {"n": settings.ATRIUM_REQUEST_MAX_PHOTOS})
    return [(photo, validate_upload(photo, kinds=IMAGE_KINDS)) for photo in photos]


def upload_sha256(upload) -> str:
    """The SHA-256 of an uploaded file, read in chunks; the file is left rewound."""
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in iter(lambda: upload.read(1 << 20), b""):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def safe_name(original: str, ext: str) -> str:
    """A random stored name with the extension the content proved."""
    stem = os.path.splitext(os.path.basename(original or ""))[0][:40] or "file"
    stem = "".join(c for c in stem if c.isalnum() or c in "-_") or "file"
    return f"{stem}-{uuid.uuid4().hex[:12]}{ext}"
