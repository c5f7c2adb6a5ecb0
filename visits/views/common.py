from __future__ import annotations

import mimetypes

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404

from ..selectors import is_visit_staff


def staff_only(user) -> None:
    if not is_visit_staff(user):
        raise PermissionDenied


def error_text(exc) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def serve_file(field, *, download_name: str | None = None) -> FileResponse:
    """Uploaded files go out only through views that checked access first."""
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
    if not download_name:
        response["Content-Disposition"] = "inline"
    return response
