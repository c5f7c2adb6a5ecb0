"""Staff letter page (status, approval history, PDF, hash, signature) and the PDF download."""

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_GET, require_POST
from wagtail.rich_text import expand_db_html

from notices.admin.deliveries import delivery_context
from notices.admin.letter_screen import letter_screen
from notices.admin.recipient_choosers import only_ids
from notices.models import LetterAttachment, LetterStatus
from notices.pdf.sanitize import sanitize_body_html
from notices.selectors import (
    LETTER_ROLES,
    letter_history,
    letter_recipients,
    letters_visible_to,
    recipients_matching,
)
from notices.services.attachments import attachment_of, attachment_response
from notices.services.decisions import AlreadyDecided, letter_decide
from notices.services.letters import LetterError, letter_retry_stamping
from notices.services.verification import letter_validate_stored
from portal.access import centres_for
from portal.admin_decisions import DecidedWorkflowAction
from portal.audit import audit_record
from portal.files import private_file_response
from tenants.models import Unit


def _letter_for(request, pk):
    return get_object_or_404(letters_visible_to(request.user).select_related("centre", "drafter"), pk=pk)


@letter_screen.route("<int:pk>/", "detail")
def letter_detail(request, pk):
    letter = _letter_for(request, pk)
    validation = None
    if letter.status == LetterStatus.STAMPED and letter.pdf:
        with letter.pdf.open("rb") as fh:
            validation = letter_validate_stored(letter, fh.read())
    recipients = letter_recipients(letter)
    state = letter.current_workflow_state
    task_state = state.current_task_state if state else None
    can_decide = bool(
        task_state and task_state.status == "in_progress" and task_state.task.specific.get_actions(letter, request.user)
    )
    return TemplateResponse(
        request,
        "notices/admin/letter_detail.html",
        {
            "letter": letter,
            "history": letter_history(letter),
            "validation": validation,
            "recipient_count": recipients.count(),
            "recipients": recipients[:200],
            "can_retry": letter.status == LetterStatus.STAMPING_FAILED,
            "can_decide": can_decide,
            "current_step": task_state.task.name if can_decide else "",
            "task_state_id": task_state.pk if can_decide else "",
            "body_html": sanitize_body_html(expand_db_html(letter.body)),
            "attachments": LetterAttachment.objects.filter(letter=letter),
            **delivery_context(request, letter),
        },
    )


@letter_screen.route("<int:pk>/pdf/", "pdf")
def letter_pdf(request, pk):
    letter = _letter_for(request, pk)
    response = private_file_response(letter.pdf, content_type="application/pdf",
                                     inline_name=f"{letter.doc_number or letter.pk}.pdf")
    audit_record(actor=request.user, action="letter.pdf_downloaded", obj=letter, request=request)
    return response


@letter_screen.route("<int:pk>/attachments/<int:attachment_pk>/", "attachment")
def letter_attachment(request, pk, attachment_pk):
    letter = _letter_for(request, pk)
    attachment = attachment_of(letter, attachment_pk)
    audit_record(actor=request.user, action="letter.attachment_downloaded", obj=letter, request=request,
                 details={"attachment": attachment.pk, "sha256": attachment.sha256})
    return attachment_response(attachment)


PREVIEW_NAMES = 8


def recipients_preview(count: int, names: list[str]) -> str:
    """"12 家商户：A、B、…、H……另有 4 家": the count, the first shop names
    and how many more, in the reader's language."""
    text = ngettext("%(n)s tenant", "%(n)s tenants", count) % {"n": count}
    if not names:
        return text
    listed = pgettext("list of names", ", ").join(names)
    more = count - len(names)
    if more > 0:
        listed = ngettext("%(names)s … and %(n)s more", "%(names)s … and %(n)s more", more) % {
            "names": listed, "n": more}
    return _("%(count)s: %(names)s") % {"count": text, "names": listed}


@letter_screen.route("centres/<int:centre_pk>/recipient-count/", "recipient_count")
@require_GET
def letter_recipient_count(request, centre_pk):
    """The letter form's live count: how many tenants the recipient choice
    on screen reaches now, and the first few names as a preview — for a
    centre whose letters the user works on, and nobody else."""
    centre = get_object_or_404(centres_for(request.user, LETTER_ROLES), pk=centre_pk)
    q = request.GET
    units = Unit.objects.filter(centre=centre, pk__in=only_ids(q.getlist("recipient_units")))
    tenants = recipients_matching(
        centre=centre, mode=q.get("recipient_mode", ""), tiers=q.getlist("recipient_tiers"),
        floors=[int(f) for f in q.getlist("recipient_floors") if re.fullmatch(r"-?[0-9]{1,3}", f)],
        units=list(units.values_list("number", flat=True)), categories=q.getlist("recipient_categories"),
        tenant_ids=[int(t) for t in only_ids(q.getlist("recipient_tenants"))],
    )
    count = tenants.count()
    names = list(tenants.values_list("trading_name", flat=True)[:PREVIEW_NAMES])
    return JsonResponse({"count": count, "names": names, "more": max(count - len(names), 0),
                         "text": recipients_preview(count, names)})


@letter_screen.route("<int:pk>/decide/", "decide")
@require_POST
def letter_decide_view(request, pk):
    letter = _letter_for(request, pk)
    approve = request.POST.get("decision") == "approve"
    step = request.POST.get("task_state", "")
    try:
        letter_decide(letter=letter, user=request.user, approve=approve, comment=request.POST.get("comment", ""),
                      task_state_id=int(step) if step.isdigit() else None)
    except PermissionDenied:
        raise
    except AlreadyDecided as exc:  # another approver was first: who, and when
        messages.info(request, str(exc))
    except LetterError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Approved.") if approve else _("Returned to the drafter."))
    return redirect("notices_letters:detail", pk=letter.pk)


class LetterWorkflowAction(DecidedWorkflowAction):
    """Wagtail's approve / return buttons for a letter: a step decided
    meanwhile sends the approver to the letter page with who decided and when."""

    def already_decided(self, task_state):
        return AlreadyDecided(task_state)

    def decided_url(self):
        return reverse("notices_letters:detail", args=[self.object.pk])


@letter_screen.route("<int:pk>/retry/", "retry")
@require_POST
def letter_retry(request, pk):
    letter = _letter_for(request, pk)
    try:
        letter_retry_stamping(letter=letter, user=request.user, request=request)
    except PermissionDenied:
        raise
    except LetterError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Stamping queued again."))
    return redirect("notices_letters:detail", pk=letter.pk)
