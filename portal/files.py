"""Serving uploaded files. Media is never a public folder: every file goes
out through a view that has checked access first, and then through here."""

from __future__ import annotations

import mimetypes

from django.http import FileResponse, Http404


def private_file_response(field, *, download_name: str | None = None) -> FileResponse:
    """The stored file of `field`, inline (a photo on a phone) or as a
    download when `download_name` is given; a 404 if it is gone."""
    if not field:
        raise Http404
    try:
        handle = field.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    content_type = mimetypes.guess_type(field.name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type, as_attachment=bool(download_name),
                            filename=download_name or "")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    if not download_name:
        response["Content-Disposition"] = "inline"
    return response
