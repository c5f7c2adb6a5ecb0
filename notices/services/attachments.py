"""Serving a letter's attachment files. The views find the letter through
their own access selector first; this only turns a stored file into a
download that the browser will not sniff into something else."""

from __future__ import annotations

import os

from django.http import FileResponse, Http404

from notices.models import Letter, LetterAttachment
from portal.files import private_file_response

CONTENT_TYPES = {
    ".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def attachment_of(letter: Letter, attachment_pk: int) -> LetterAttachment:
    attachment = LetterAttachment.objects.filter(letter=letter, pk=attachment_pk).first()
    if attachment is None or not attachment.file:
        raise Http404
    return attachment


def download_name(attachment: LetterAttachment) -> str:
    """The uploader's name, with the extension the content proved."""
    ext = os.path.splitext(attachment.file.name)[1].lower()
    stem = os.path.splitext(attachment.original_name)[0] or attachment.title or "attachment"
    return f"{stem}{ext}"


def attachment_response(attachment: LetterAttachment) -> FileResponse:
    ext = os.path.splitext(attachment.file.name)[1].lower()
    return private_file_response(attachment.file, content_type=CONTENT_TYPES.get(ext, "application/octet-stream"),
                                 download_name=download_name(attachment))
