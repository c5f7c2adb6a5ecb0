"""Files are judged by their bytes, not their names."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.uploads import DOCUMENT_KINDS, IMAGE_KINDS, validate_upload
from tests.base import PDF_BYTES, PNG_BYTES


def _zip(names):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for n in names:
            zf.writestr(n, "x")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("content", "ext"),
    [
        (PDF_BYTES, ".pdf"),
        (PNG_BYTES, ".png"),
        (b"\xff\xd8\xff\xe0" + b"0" * 20, ".jpg"),
        (b"GIF89a" + b"0" * 10, ".gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", ".webp"),
        (_zip(["[Content_Types].xml", "word/document.xml"]), ".docx"),
        (_zip(["[Content_Types].xml", "xl/workbook.xml"]), ".xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 20, ".doc"),
    ],
)
def test_accepted_formats_get_the_extension_their_content_proves(content, ext):
    assert validate_upload(SimpleUploadedFile("whatever.bin", content), kinds=DOCUMENT_KINDS) == ext


@pytest.mark.parametrize(
    "content",
    [
        b"MZ\x90\x00\x03 windows executable",
        b"#!/bin/sh\nrm -rf /\n",
        b"<html><script>alert(1)</script></html>",
        _zip(["payload.exe"]),
        _zip(["[Content_Types].xml", "word/document.xml", "word/vbaProject.bin"]),  # macros
        b"plain text renamed to pdf",
    ],
)
def test_anything_else_is_refused_whatever_its_name(content):
    with pytest.raises(ValidationError):
        validate_upload(SimpleUploadedFile("contract.pdf", content), kinds=DOCUMENT_KINDS)


def test_a_pdf_is_not_a_photo():
    with pytest.raises(ValidationError):
        validate_upload(SimpleUploadedFile("photo.jpg", PDF_BYTES), kinds=IMAGE_KINDS)


def test_size_limit_and_empty_files(settings):
    settings.ATRIUM_UPLOAD_MAX_BYTES = 10
    with pytest.raises(ValidationError, match="MB"):
        validate_upload(SimpleUploadedFile("a.pdf", PDF_BYTES))
    settings.ATRIUM_UPLOAD_MAX_BYTES = 1000
    with pytest.raises(ValidationError):
        validate_upload(SimpleUploadedFile("a.pdf", b""))
