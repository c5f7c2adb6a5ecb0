"""How an admin action that posts and redirects tells its outcome: the
form's errors, or the service's refusal, as messages on the next page."""

from django.contrib import messages
from django.core.exceptions import ValidationError


def form_errors_to_messages(request, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def act_and_tell(request, form, act, refusals: tuple[type[Exception], ...], success: str) -> None:
    """A posted form asking a service for one change, `act(cleaned_data)`;
    the outcome is told on the page the caller redirects to: the form's
    errors, the service's refusal (one of `refusals`), or `success`."""
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return
    try:
        act(form.cleaned_data)
    except refusals as exc:
        refusal_to_messages(request, exc)
    else:
        messages.success(request, success)


def refusal_to_messages(request, exc: Exception) -> None:
    """A service's refusal: a ValidationError's messages (a file's content),
    or the message of the app's own error."""
    for message in exc.messages if isinstance(exc, ValidationError) else [str(exc)]:
        messages.error(request, message)
