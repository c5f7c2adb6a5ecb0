"""Emails of the approval chain, each in its reader's language (the admin
language chosen in Wagtail's preferences or the menu's switch; Chinese when
none is chosen), as Wagtail's own workflow emails are."""

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from wagtail.models import TaskState, WorkflowState

from notices.models import Letter
from portal.access import users_with_role


def _letter_url(letter: Letter) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("notices_letters:detail", args=[letter.pk])


def reader_language(user) -> str:
    profile = getattr(user, "wagtail_userprofile", None)
    return profile.get_preferred_language() if profile else settings.LANGUAGE_CODE


def by_language(users) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for user in users:
        groups.setdefault(reader_language(user), []).append(user.email)
    return groups


def send_approval_request(task_state_id: int) -> int:
    state = TaskState.objects.filter(pk=task_state_id, status=TaskState.STATUS_IN_PROGRESS).first()
    if state is None:
        return 0  # decided already, or the chain was withdrawn
    letter = state.workflow_state.content_object
    role = getattr(state.task.specific, "role", None)
    if not isinstance(letter, Letter) or not role:
        return 0
    readers = users_with_role(letter.centre, role).exclude(pk=letter.drafter_id).select_related("wagtail_userprofile")
    sent = 0
    for language, recipients in by_language(readers).items():
        with translation.override(language):
            subject = _("[Atrium] Letter awaiting your approval: %(title)s") % {"title": letter.title}
            body = _("%(drafter)s submitted the letter “%(title)s” (%(centre)s). Step: %(step)s.\n\nOpen it: %(url)s") % {
                "drafter": letter.drafter, "title": letter.title, "centre": letter.centre, "step": state.task.name,
                "url": _letter_url(letter),
            }
        send_mail(subject, body, None, recipients)
        sent += len(recipients)
    return sent


def send_returned_to_drafter(workflow_state_id: int) -> int:
    workflow_state = WorkflowState.objects.filter(pk=workflow_state_id).first()
    if workflow_state is None:
        return 0
    letter = workflow_state.content_object
    if not isinstance(letter, Letter) or letter.drafter is None:
        return 0
    rejected = workflow_state.task_states.filter(status=TaskState.STATUS_REJECTED).order_by("-finished_at").first()
    comment = rejected.comment if rejected else ""
    with translation.override(reader_language(letter.drafter)):
        subject = _("[Atrium] Letter returned for changes: %(title)s") % {"title": letter.title}
        body = _("%(who)s returned the letter “%(title)s” with this comment:\n\n%(comment)s\n\nOpen it: %(url)s") % {
            "who": rejected.finished_by if rejected else "", "title": letter.title, "comment": comment or "—",
            "url": _letter_url(letter),
        }
    send_mail(subject, body, None, [letter.drafter.email])
    return 1
