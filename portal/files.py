"""Serving uploaded files. Media is never a public folder: every file goes
out through a view that has checked access first, and then through here, so
that every private file carries the same headers: never cached by a shared
cache, never content-sniffed into something executable."""

from __future__ import annotations

import mimetypes

from django.http import FileResponse, Http404


def private_file_response(
    field, *, download_name: str | None = None, inline_name: str | None = None, content_type: str | None = None
) -> FileResponse:
    """The stored file of `field`, inline (a photo or a PDF on a phone) or as a
    download when `download_name` is given; a 404 if it is gone."""
    if not field:
        raise Http404
    try:
        handle = field.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    content_type = content_type or mimetypes.guess_type(field.name)[0]
    return private_stream_response(handle, content_type=content_type, download_name=download_name,
                                   inline_name=inline_name)


def private_stream_response(
    handle, *, content_type: str | None, download_name: str | None = None, inline_name: str | None = None
) -> FileResponse:
    """An already open file (one a service opened after auditing the access,
    or a file built for this request) with the private headers."""
    response = FileResponse(handle, content_type=content_type or "application/octet-stream",
                            as_attachment=bool(download_name), filename=download_name or inline_name or "")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    if not download_name and not inline_name:
        response["Content-Disposition"] = "inline"
    return response
