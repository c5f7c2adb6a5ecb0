"""The ending every form page shares: when the form is posted and valid, call
the service it asks for; when the service refuses, show why on the form
(never a 500) and render the page again, with 400 while it has errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError


def refusal_text(exc: Exception) -> str | list[str]:
    """What a refusal says on the form: a ValidationError's messages, each on
    its own; anything else, its text."""
    return exc.messages if isinstance(exc, ValidationError) else str(exc)


def form_action(request, form, act: Callable[[dict], Any], refusals: tuple[type[Exception], ...], *,
                denied: str | None = None, describe: Callable[[Exception], Any] = refusal_text) -> Any:
    """`act(form.cleaned_data)` when `form` was posted and is valid, and what
    it returns; None when it was not, or when the service refused. A refusal
    is an exception of `refusals` (its words, by `describe`) or, given
    `denied`, a PermissionDenied (those words instead); either becomes the
    form's error. Without `denied` a PermissionDenied is the caller's: 403."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return act(form.cleaned_data)
    except refusals as exc:
        form.add_error(None, describe(exc))
    except PermissionDenied:
        if denied is None:
            raise
        form.add_error(None, denied)
    return None


def form_status(form) -> int:
    """The status of a page showing `form`: 400 while it has errors."""
    return 400 if form.errors else 200
