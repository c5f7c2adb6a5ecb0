from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

from ..selectors import is_visit_staff


def staff_only(user) -> None:
    if not is_visit_staff(user):
        raise PermissionDenied


def error_text(exc) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)
