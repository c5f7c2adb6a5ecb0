"""Rectification cases: the letter that asks a shop to put things right, the
tenant's report, the re-inspection, and escalation when the deadline passes.
Each state change is one transaction that locks the case, checks state and
permission, and writes the audit event."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from notices.fire.models import (
    CaseEvent,
    CaseStatus,
    RectificationCase,
)
from notices.fire.selectors import may_inspect, safety_drafters
from notices.fire.services.rounds import FireError, save_photos
from notices.models import Letter, LetterKind, RecipientMode
from notices.services.drafting import letter_draft
from portal.audit import audit_record
from portal.models.accounts import Department
from portal.pdf.render import chinese_date
from portal.uploads import validate_photos
from tenants.selectors.contacts import tenant_contacts_of

# --- rectification letters ----------------------------------------------------

def _letter_body(case: RectificationCase, failed: list[tuple[str, str]], *, recheck: bool, remark: str = "") -> str:
    tenant = case.tenant
    units = "、".join(u.number for u in tenant.units.all())
    items = "".join(f"<li>{escape(text)}{'：' + escape(note) if note else ''}；</li>" for text, note in failed)
    when = chinese_date(timezone.localdate())
    lead = (f"我司于{when}对贵店复查，以下问题仍未整改到位：" if recheck
            else f"我司于{chinese_date(timezone.localtime(case.form.inspected_at).date())}对贵店"
                 f"（{escape(units) or escape(tenant.code)}）进行月度消防安全检查，发现以下问题：")
    return (
        f"<p>{lead}</p><ol>{items}</ol>"
        + (f"<p>复查情况：{escape(remark)}</p>" if remark else "")
        + f"<p>根据《购物中心客户关系维护管理规程》第4.8.1条，请贵店于<b>{chinese_date(case.deadline)}</b>前完成整改，"
        "并通过租户门户“消防整改”上报整改情况及现场照片。我司将安排复查；逾期未整改的，将上报商场管理层处理。</p>"
        "<p>特此函告。</p>"
    )


def issue_letter(*, case: RectificationCase, actor, failed: list[tuple[str, str]], recheck: bool = False,
                  remark: str = "") -> Letter | None:
    """Draft the rectification letter (整改函) to the one tenant and submit it
    to the approval chain. Call inside the case's transaction."""
    drafters = safety_drafters(case.centre)
    drafter = drafters.filter(pk=actor.pk).first() or drafters.first()
    if drafter is None:
        message = _("The centre has no safety-department drafter to draft the rectification letter.")
        RectificationCase.objects.filter(pk=case.pk).update(letter_error=message)
        audit_record(actor=actor, action="fire.letter_not_drafted", obj=case, details={"reason": "no safety drafter"})
        return None
    tenant = case.tenant
    letter = letter_draft(
        centre=case.centre, kind=LetterKind.RECTIFICATION, department=Department.SAFETY, drafter=drafter,
        title=f"关于{tenant.trading_name}消防安全{'复查' if recheck else ''}整改的函",
        addressee=tenant.legal_name or tenant.trading_name, body=_letter_body(case, failed, recheck=recheck, remark=remark),
        recipient_mode=RecipientMode.NAMED, recipient_tenants=[tenant], requires_receipt=True, sign_by=case.deadline,
        submit=True, actor=actor, origin="fire.rectification", details={"case": case.pk},
    )
    RectificationCase.objects.filter(pk=case.pk).update(letter=letter, letter_error="")
    case.letter = letter
    CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.LETTER, actor=drafter, letter=letter, deadline=case.deadline)
    audit_record(actor=actor, action="fire.letter_drafted", obj=case,
                 details={"letter": letter.pk, "drafter": drafter.email, "deadline": case.deadline.isoformat()})
    return letter


def case_retry_letter(*, actor, case: RectificationCase, request: HttpRequest | None = None) -> Letter:
    """Draft the letter again when drafting failed (e.g. the centre had no drafter then)."""
    if not may_inspect(actor, case.centre):
        raise PermissionDenied
    with transaction.atomic():
        case = RectificationCase.objects.select_for_update().select_related("centre", "tenant", "form").get(pk=case.pk)
        if case.letter_id or case.status == CaseStatus.CLOSED:
            raise FireError(_("This case already has its rectification letter."))
        failed = failed_items(case)
        letter = issue_letter(case=case, actor=actor, failed=failed, recheck=case.events.filter(
            kind=CaseEvent.Kind.REINSPECTED_FAILED).exists())
    if letter is None:
        raise FireError(_("The centre has no safety-department drafter to draft the rectification letter."))
    return letter


def failed_items(case: RectificationCase) -> list[tuple[str, str]]:
    return list(case.form.results.filter(passed=False).values_list("item_text", "note"))


# --- the tenant's report and the re-inspection --------------------------------

def _lock_case(case: RectificationCase) -> RectificationCase:
    return RectificationCase.objects.select_for_update().select_related("centre", "tenant", "form").get(pk=case.pk)


def _lock_open_case(case: RectificationCase, closed: str) -> RectificationCase:
    """The case locked for a change that only an open case takes (else `closed`)."""
    case = _lock_case(case)
    if case.status == CaseStatus.CLOSED:
        raise FireError(closed)
    return case


def case_report(*, actor, case: RectificationCase, note: str, photos: Iterable,
                request: HttpRequest | None = None) -> CaseEvent:
    """A contact of the tenant reports the rectification done, with photos."""
    if not tenant_contacts_of(actor).filter(tenant_id=case.tenant_id).exists():
        raise PermissionDenied
    checked = validate_photos(photos)
    if not checked:
        raise FireError(_("Add at least one photo showing the rectification."))
    if not note.strip():
        raise FireError(_("Say what was done."))
    with transaction.atomic():
        case = _lock_open_case(case, _("This case is closed."))
        if case.status == CaseStatus.REPORTED:
            raise FireError(_("The rectification was already reported; the inspector will re-inspect."))
        event = CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.REPORTED, actor=actor, by_tenant=True,
                                         body=note.strip())
        save_photos(checked, centre_id=case.centre_id, tenant_id=case.tenant_id, actor=actor, event=event)
        RectificationCase.objects.filter(pk=case.pk).update(status=CaseStatus.REPORTED)
        audit_record(actor=actor, action="fire.case_reported", obj=case, request=request,
                     details={"photos": len(checked)})
        case_id = case.pk
        transaction.on_commit(lambda: _notify_inspectors_later(case_id))
    return event


def _notify_inspectors_later(case_id: int) -> None:
    from notices.fire.tasks import notify_case_reported

    notify_case_reported.delay(case_id)


def case_reinspect(*, actor, case: RectificationCase, rectified: bool, note: str = "", photos: Iterable = (),
                   new_deadline: date | None = None, request: HttpRequest | None = None) -> CaseEvent:
    """The inspector re-inspects: rectified closes the case; not rectified
    issues a new rectification letter with a new deadline."""
    if not may_inspect(actor, case.centre):
        raise PermissionDenied
    checked = validate_photos(photos)
    today = timezone.localdate()
    if not rectified:
        if new_deadline is None or new_deadline <= today:
            raise FireError(_("Give a new rectification deadline after today."))
        if not note.strip():
            raise FireError(_("Say what is still not rectified."))
    with transaction.atomic():
        case = _lock_open_case(case, _("This case is already closed."))
        now = timezone.now()
        if rectified:
            event = CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.CLOSED, actor=actor, body=note.strip(), at=now)
            RectificationCase.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closed_at=now, closed_by=actor)
            audit_record(actor=actor, action="fire.case_closed", obj=case, request=request)
        else:
            event = CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.REINSPECTED_FAILED, actor=actor,
                                             body=note.strip(), deadline=new_deadline, at=now)
            RectificationCase.objects.filter(pk=case.pk).update(
                status=CaseStatus.OPEN, deadline=new_deadline, escalated_at=None, letter=None,
            )
            case.deadline = new_deadline
            audit_record(actor=actor, action="fire.case_reinspected_failed", obj=case, request=request,
                         details={"deadline": new_deadline.isoformat()})
            issue_letter(case=case, actor=actor, failed=failed_items(case), recheck=True, remark=note.strip())
        save_photos(checked, centre_id=case.centre_id, tenant_id=case.tenant_id, actor=actor, event=event)
    return event


# --- escalation ---------------------------------------------------------------

def cases_escalate_overdue(*, today: date | None = None) -> list[int]:
    """Flag open cases past their deadline, once per deadline, and tell the
    centre's leaders and managers. Safe to run twice."""
    today = today or timezone.localdate()
    escalated = []
    for case_id in RectificationCase.objects.overdue(today).filter(escalated_at__isnull=True).values_list("pk", flat=True):
        with transaction.atomic():
            case = RectificationCase.objects.select_for_update().get(pk=case_id)
            if case.escalated_at is not None or case.status != CaseStatus.OPEN or case.deadline >= today:
                continue
            now = timezone.now()
            RectificationCase.objects.filter(pk=case.pk).update(escalated_at=now)
            CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.ESCALATED, deadline=case.deadline, at=now)
            audit_record(actor=None, action="fire.case_escalated", obj=case,
                         details={"deadline": case.deadline.isoformat(), "days_overdue": (today - case.deadline).days})
            transaction.on_commit(lambda cid=case.pk: _notify_escalation_later(cid))
        escalated.append(case_id)
    return escalated


def _notify_escalation_later(case_id: int) -> None:
    from notices.fire.tasks import notify_case_escalated

    notify_case_escalated.delay(case_id)
