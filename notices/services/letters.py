"""State changes of letters: the approval chain's side effects, numbering and stamping."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import (
    TaskState,
    Workflow,
    WorkflowContentType,
    WorkflowState,
    WorkflowTask,
)
from wagtail.rich_text import expand_db_html

from notices.models import (
    CentreRoleApprovalTask,
    DocumentSequence,
    Letter,
    LetterStatus,
    LetterTemplate,
    RecipientMode,
    SealUse,
)
from notices.pdf.render import LetterContext
from notices.pdf.sanitize import sanitize_body_html
from notices.pdf.stamp import stamp_letter
from portal.access import has_role
from portal.audit import audit_record
from portal.models.accounts import Role
from portal.models.audit import AuditEvent

logger = logging.getLogger(__name__)

WORKFLOW_NAME = "发文审批 Letter approval"
LEADER_TASK_NAME = "领导审批 Leader approval"
SEAL_TASK_NAME = "用章审批 Seal-use approval"


class LetterError(Exception):
    """A letter cannot make this transition; the message says why."""


def ensure_letter_workflow() -> Workflow:
    """The two-step chain of 4.8.4, assigned to letters. Idempotent."""
    from django.contrib.contenttypes.models import ContentType

    workflow, _created = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    for order, (name, role) in enumerate(((LEADER_TASK_NAME, Role.LEADER), (SEAL_TASK_NAME, Role.SEAL_KEEPER))):
        task = CentreRoleApprovalTask.objects.filter(name=name).first()
        if task is None:
            task = CentreRoleApprovalTask.objects.create(name=name, role=role, active=True)
        WorkflowTask.objects.update_or_create(workflow=workflow, task=task, defaults={"sort_order": order})
    WorkflowContentType.objects.update_or_create(
        content_type=ContentType.objects.get_for_model(Letter), defaults={"workflow": workflow}
    )
    return workflow


# --- approvals --------------------------------------------------------------

@dataclass
class Approvals:
    leader: object
    leader_at: object
    keeper: object
    keeper_at: object


def letter_approvals(letter: Letter) -> Approvals:
    """The two approvals of the letter's finished workflow, checked again here:
    stamping must not rely on the admin having offered the right buttons."""
    state = (
        WorkflowState.objects.for_instance(letter)
        .filter(status=WorkflowState.STATUS_APPROVED)
        .order_by("-created_at")
        .first()
    )
    if state is None:
        raise LetterError(_("The letter has not completed its approval chain."))
    found = {}
    for task_state in state.task_states.filter(status=TaskState.STATUS_APPROVED).select_related("finished_by"):
        task = task_state.task.specific
        role = getattr(task, "role", None)
        user = task_state.finished_by
        if role in (Role.LEADER, Role.SEAL_KEEPER) and user is not None:
            if user.pk == letter.drafter_id or not has_role(user, letter.centre, role):
                raise LetterError(_("An approval was given by someone who may not give it."))
            found[role] = (user, task_state.finished_at)
    if Role.LEADER not in found or Role.SEAL_KEEPER not in found:
        raise LetterError(_("Both the leader's approval and the seal-use approval are required."))
    return Approvals(*found[Role.LEADER], *found[Role.SEAL_KEEPER])


def letter_mark(letter_id: int, status: str, *, action: str, actor=None, details=None) -> None:
    """Record a workflow step on the letter (status + audit), without a revision."""
    with transaction.atomic():
        letter = Letter.objects.select_for_update().get(pk=letter_id)
        if letter.status in (LetterStatus.STAMPED, LetterStatus.STAMPING):
            return
        Letter.objects.filter(pk=letter_id).update(status=status)
        audit_record(actor=actor, action=action, obj=letter, details=details or {})


# --- numbering --------------------------------------------------------------

def document_number_issue(*, centre, year: int) -> int:
    """Take the next number of the centre's year. Call inside a transaction."""
    try:
        with transaction.atomic():
            DocumentSequence.objects.get_or_create(centre=centre, year=year)
    except IntegrityError:
        pass  # created by a concurrent transaction a moment ago
    # UPDATE first: it takes the row lock, so concurrent callers queue here.
    DocumentSequence.objects.filter(centre=centre, year=year).update(last=F("last") + 1)
    return DocumentSequence.objects.get(centre=centre, year=year).last


# --- stamping ---------------------------------------------------------------

def _addressee(letter: Letter) -> str:
    """A letter to one named tenant is rendered for that tenant: it is
    addressed to the tenant's legal name unless the drafter wrote another."""
    default = Letter._meta.get_field("addressee").default
    if letter.recipient_mode == RecipientMode.NAMED and letter.addressee in ("", default):
        tenants = list(letter.recipient_tenants.all()[:2])
        if len(tenants) == 1:
            return tenants[0].legal_name
    return letter.addressee


def _attachment_line(attachment) -> str:
    """The title, and for a file the start of its SHA-256: the seal over the
    letter then also vouches for the attached files."""
    if not attachment.sha256:
        return attachment.title
    return f"{attachment.title}（SHA-256：{attachment.sha256[:16]}）"


def _context(letter: Letter, template: LetterTemplate) -> LetterContext:
    centre = letter.centre
    return LetterContext(
        centre_name=centre.name,
        letterhead_name=template.letterhead_title,
        letterhead_address=centre.letterhead_address or centre.address,
        letterhead_phone=centre.letterhead_phone or centre.hotline,
        doc_number=letter.doc_number,
        date=letter.doc_date,
        addressee=_addressee(letter),
        title=letter.title,
        body_html=sanitize_body_html(expand_db_html(letter.body)),
        signatory_name=template.signatory_name,
        attachments=[_attachment_line(a) for a in letter.attachments.all()],
        footer_text=template.footer_text,
        # 版记: 抄送, and 印发 on the letter's date, as the drafter set them.
        copy_to=letter.copy_to,
        printed_by=letter.printed_by,
        printed_on=letter.doc_date,
        logo_png=bytes(template.logo_png) if template.logo_png else None,
        seal_png=bytes(template.seal_png),
    )


def letter_stamp(*, letter_id: int, timestamper=None) -> Letter:
    """Number, render, sign and store the letter. Safe to run twice: a stamped
    letter is never rendered again, and the number is issued once."""
    # 1. Claim: check approvals, issue the number, mark "stamping".
    with transaction.atomic():
        letter = Letter.objects.select_for_update().select_related("centre").get(pk=letter_id)
        if letter.status == LetterStatus.STAMPED:
            return letter
        if letter.status not in (LetterStatus.APPROVED, LetterStatus.STAMPING, LetterStatus.STAMPING_FAILED):
            raise LetterError(_("Only an approved letter can be stamped."))
        approvals = letter_approvals(letter)
        template = LetterTemplate.objects.filter(centre=letter.centre).first()
        if template is None or not template.has_seal:
            return _stamping_failed(letter, _("The centre has no letter template with a seal and certificate."))
        _number_and_mark_stamping(letter, template)
        context = _context(letter, template)
        key_pem, cert_pem, ts_url = template.seal_key_pem(), template.seal_certificate_pem.encode(), template.timestamp_url
    # 2. Render and sign, outside any transaction (it takes a moment).
    try:
        stamped = stamp_letter(context, key_pem=key_pem, cert_pem=cert_pem, timestamp_url=ts_url or None, timestamper=timestamper)
    except Exception as exc:
        logger.exception("Stamping letter %s failed", letter_id)
        return _stamping_failed(letter, f"{type(exc).__name__}: {exc}")
    # 3. Store once. A concurrent run that got here first wins; ours is dropped.
    filename = f"{letter.centre.code}-{letter.doc_year}-{letter.doc_seq:03d}-{stamped.sha256[:12]}.pdf"
    with transaction.atomic():
        letter = Letter.objects.select_for_update().select_related("centre").get(pk=letter_id)
        if letter.status == LetterStatus.STAMPED:
            return letter
        letter.pdf.save(filename, ContentFile(stamped.pdf), save=False)
        now = timezone.now()
        Letter.objects.filter(pk=letter.pk).update(
            pdf=letter.pdf.name, pdf_sha256=stamped.sha256, pdf_pages=stamped.pages, stamped_at=now,
            status=LetterStatus.STAMPED, stamping_error="",
        )
        seal_use = SealUse.objects.create(
            centre=letter.centre, letter=letter, doc_number=letter.doc_number, title=letter.title,
            applicant=letter.drafter, leader=approvals.leader, keeper=approvals.keeper,
            leader_approved_at=approvals.leader_at, keeper_approved_at=approvals.keeper_at,
            used_at=now, pdf_sha256=stamped.sha256, certificate_pem=cert_pem.decode(),
        )
        # Delivery starts when the stamp is stored (4.8.5); the sweep covers a lost message.
        from notices.services.delivery import letter_queue_delivery

        letter_queue_delivery(letter.pk)
        audit_record(
            actor=approvals.keeper, action="seal.used", obj=letter, evidence=True,
            details={"doc_number": letter.doc_number, "sha256": stamped.sha256, "seal_use": seal_use.pk,
                     "leader": approvals.leader.email, "keeper": approvals.keeper.email,
                     "applicant": letter.drafter.email if letter.drafter else ""},
        )
    letter.refresh_from_db()
    return letter


def _number_and_mark_stamping(letter: Letter, template: LetterTemplate) -> None:
    """Issue the document number (once: a retry keeps it) and mark the locked
    letter as being stamped."""
    if not letter.doc_seq:
        today = timezone.localdate()
        letter.doc_year, letter.doc_date = today.year, today
        letter.doc_seq = document_number_issue(centre=letter.centre, year=today.year)
        letter.doc_number = template.format_number(year=today.year, seq=letter.doc_seq)
    letter.status = LetterStatus.STAMPING
    letter.stamping_started_at = timezone.now()
    letter.stamping_error = ""
    Letter.objects.filter(pk=letter.pk).update(
        doc_year=letter.doc_year, doc_date=letter.doc_date, doc_seq=letter.doc_seq, doc_number=letter.doc_number,
        status=letter.status, stamping_started_at=letter.stamping_started_at, stamping_error="",
    )


def _stamping_failed(letter: Letter, message: str) -> Letter:
    with transaction.atomic():
        Letter.objects.filter(pk=letter.pk).exclude(status=LetterStatus.STAMPED).update(
            status=LetterStatus.STAMPING_FAILED, stamping_error=message[:2000]
        )
        audit_record(actor=None, action="letter.stamping_failed", obj=letter, details={"error": message[:500]})
    letter.refresh_from_db()
    return letter


def letter_retry_stamping(*, letter: Letter, user, request=None) -> None:
    if not has_role(user, letter.centre, Role.SEAL_KEEPER, Role.MANAGER):
        raise PermissionDenied
    with transaction.atomic():
        locked = Letter.objects.select_for_update().get(pk=letter.pk)
        if locked.status != LetterStatus.STAMPING_FAILED:
            raise LetterError(_retry_refusal(locked))
        # Out of "failed" at once: a second press (or a second keeper) is told
        # it was retried, and the stuck-stamping sweep covers a lost task.
        Letter.objects.filter(pk=locked.pk).update(status=LetterStatus.APPROVED, stamping_started_at=timezone.now())
        audit_record(actor=user, action="letter.stamping_retried", obj=locked, request=request)
        letter_queue_stamping(locked.pk)


def _retry_refusal(letter: Letter) -> str:
    """Two people pressing "retry" at once: the second is told who retried."""
    retried = (
        AuditEvent.objects.for_object(letter).filter(action="letter.stamping_retried")
        .select_related("actor").order_by("-at", "-pk").first()
    )
    if retried is None or letter.status == LetterStatus.STAMPING_FAILED:
        return _("Only a letter whose stamping failed can be retried.")
    return _("Stamping was already queued again by %(name)s at %(when)s. Nothing more to do.") % {
        "name": retried.actor.get_full_name() if retried.actor else retried.actor_repr,
        "when": timezone.localtime(retried.at).strftime("%Y-%m-%d %H:%M"),
    }


def letter_queue_stamping(letter_id: int) -> None:
    from notices.tasks import stamp_letter_task

    transaction.on_commit(lambda: stamp_letter_task.delay(letter_id))


def letters_stuck_in_stamping():
    """Approved or half-stamped letters whose task was queued or claimed longer
    ago than ATRIUM_STAMPING_STUCK_MINUTES (a lost message, a killed worker)."""
    return Letter.objects.filter(
        status__in=[LetterStatus.STAMPING, LetterStatus.APPROVED],
        stamping_started_at__lt=timezone.now() - timedelta(minutes=settings.ATRIUM_STAMPING_STUCK_MINUTES),
    )
