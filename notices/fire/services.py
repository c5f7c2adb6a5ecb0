"""State changes of the fire-safety cycle. Each is one transaction that locks
its row, checks state and permission, and writes the audit event."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from notices.drafting import letter_draft
from notices.models import Letter, LetterKind, RecipientMode
from portal.audit import audit_record
from portal.models.accounts import Department
from portal.pdf.render import chinese_date
from portal.uploads import safe_name, validate_photos
from tenants.contacts import tenant_contacts_of
from tenants.models import Centre, Tenant

from .models import (
    CaseEvent,
    CaseStatus,
    ChecklistItem,
    FirePhoto,
    InspectionForm,
    InspectionResult,
    InspectionRound,
    RectificationCase,
)
from .selectors import fire_centres_for, may_inspect, month_start, safety_drafters

logger = logging.getLogger(__name__)

DEFAULT_CHECKLIST = [
    "消防通道、疏散通道畅通，无堆放杂物",
    "安全出口及疏散指示标识完好、有效",
    "灭火器配置齐全、压力正常，在有效期内",
    "消火栓、喷淋头无遮挡，周边无堆物",
    "电气线路无私拉乱接，无超负荷用电",
    "无违规使用明火及大功率电器",
    "店内未存放易燃易爆危险物品",
    "营业结束后切断非必要电源",
    "员工知晓灭火器使用方法和疏散路线",
]


class FireError(Exception):
    """The action is not possible now; the message says why (shown to the user)."""


# --- checklist ---------------------------------------------------------------

def checklist_ensure_defaults(*, centre: Centre) -> int:
    """Give a centre with no checklist the default items. Idempotent."""
    if ChecklistItem.objects.filter(centre=centre).exists():
        return 0
    ChecklistItem.objects.bulk_create(
        [ChecklistItem(centre=centre, text=text, sort_order=(n + 1) * 10) for n, text in enumerate(DEFAULT_CHECKLIST)],
        ignore_conflicts=True,
    )
    return len(DEFAULT_CHECKLIST)


def checklist_item_saved(*, item: ChecklistItem, user, created: bool) -> None:
    # The snippet's scoped form only offers the user's centres; this records it.
    audit_record(actor=user, action="fire.checklist_item_added" if created else "fire.checklist_item_changed",
                 obj=item, details={"text": item.text, "active": item.active})


# --- rounds and the monthly notice -------------------------------------------

def round_ensure(*, centre: Centre, month: date, actor=None, request: HttpRequest | None = None) -> InspectionRound:
    """The centre's round for `month`, created once even under concurrency."""
    month = month_start(month)
    existing = InspectionRound.objects.filter(centre=centre, month=month).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            round_ = InspectionRound.objects.create(centre=centre, month=month)
            audit_record(actor=actor, action="fire.round_opened", obj=round_, request=request,
                         details={"month": f"{month:%Y-%m}"})
    except IntegrityError:
        round_ = InspectionRound.objects.get(centre=centre, month=month)
    checklist_ensure_defaults(centre=centre)
    return round_


def _notice_body(centre: Centre, month: date) -> str:
    items = "".join(
        f"<li>{escape(text)}；</li>"
        for text in ChecklistItem.objects.filter(centre=centre, active=True).values_list("text", flat=True)
    )
    return (
        f"<p>为切实做好商场消防安全工作，根据《购物中心客户关系维护管理规程》第4.8.1条，"
        f"营运部将会同安全部于{month.year}年{month.month}月对{escape(centre.name)}全体商户开展消防安全检查。</p>"
        f"<h3>一、检查内容</h3><ol>{items}</ol>"
        "<h3>二、配合事项</h3><p>请各商户安排店长或负责人在店配合检查。检查结果将形成检查报告；"
        "存在问题的商户将收到整改函，请按整改函要求限期整改，并通过租户门户上报整改情况及照片。</p>"
        "<p>特此通知。</p>"
    )


def round_draft_notice(*, round_id: int) -> Letter | None:
    """Draft the month's inspection notice to all tenants and submit it to the
    approval chain, as the centre's safety-department drafter. Once per round:
    a second run finds the letter and does nothing."""
    with transaction.atomic():
        round_ = InspectionRound.objects.select_for_update().select_related("centre").get(pk=round_id)
        if round_.notice_letter_id:
            return round_.notice_letter
        drafter = safety_drafters(round_.centre).first()
        if drafter is None:
            # Without a drafter there is nobody to submit as; the daily run
            # tries again once the centre has one.
            logger.warning("Centre %s has no safety-department drafter; fire notice not drafted", round_.centre)
            return None
        month = round_.month
        letter = letter_draft(
            centre=round_.centre, kind=LetterKind.FIRE_INSPECTION, department=Department.SAFETY, drafter=drafter,
            title=f"关于开展{month.year}年{month.month}月消防安全检查的通知", addressee="各位商户",
            body=_notice_body(round_.centre, month), recipient_mode=RecipientMode.ALL, requires_receipt=True,
            sign_by=max(timezone.localdate(), month) + timedelta(days=settings.ATRIUM_FIRE_NOTICE_SIGN_DAYS),
            submit=True, origin="fire.notice", details={"round": round_.pk},
        )
        InspectionRound.objects.filter(pk=round_.pk).update(notice_letter=letter)
        audit_record(actor=None, action="fire.notice_drafted", obj=round_, details={"letter": letter.pk})
    return letter


def fire_monthly_cycle(*, today: date | None = None) -> list[int]:
    """For every centre: this month's round and its notice. Safe to run daily."""
    month = month_start(today)
    drafted = []
    for centre in Centre.objects.order_by("pk"):
        round_ = round_ensure(centre=centre, month=month)
        if round_.notice_letter_id is None and round_draft_notice(round_id=round_.pk) is not None:
            drafted.append(round_.pk)
    return drafted


# --- photos --------------------------------------------------------------------



def _save_photos(checked: list, *, centre_id: int, tenant_id: int, actor, form=None, event=None) -> None:
    for upload, ext in checked:
        photo = FirePhoto(centre_id=centre_id, tenant_id=tenant_id, form=form, event=event, uploaded_by=actor)
        photo.file.save(safe_name(getattr(upload, "name", ""), ext), File(upload), save=False)
        photo.save()


# --- inspection forms ------------------------------------------------------------

@dataclass(frozen=True)
class ItemAnswer:
    item_id: int
    passed: bool
    note: str = ""


def form_record(
    *,
    actor,
    round_: InspectionRound,
    tenant: Tenant,
    answers: list[ItemAnswer],
    notes: str = "",
    photos: Iterable = (),
    deadline: date | None = None,
    request: HttpRequest | None = None,
) -> InspectionForm:
    """Record what the inspector found at `tenant`. Every active checklist item
    is answered. Failed items open a rectification case with a letter."""
    centre = round_.centre
    if not may_inspect(actor, centre):
        raise PermissionDenied
    if tenant.centre_id != centre.pk:
        raise FireError(_("The tenant trades in another centre."))
    items = {i.pk: i for i in ChecklistItem.objects.filter(centre=centre, active=True)}
    given = {a.item_id: a for a in answers}
    if not items:
        raise FireError(_("The centre's checklist is empty: add items first."))
    if set(given) != set(items):
        raise FireError(_("Answer every item of the checklist (the checklist may have changed: reload the form)."))
    failed = [a for a in answers if not a.passed]
    today = timezone.localdate()
    if failed:
        deadline = deadline or today + timedelta(days=settings.ATRIUM_FIRE_RECTIFY_DAYS)
        if deadline <= today:
            raise FireError(_("The rectification deadline must be after today."))
    checked = validate_photos(photos)
    with transaction.atomic():
        # The round's lock makes two phones recording the same shop queue here;
        # the second finds the first's form.
        InspectionRound.objects.select_for_update().get(pk=round_.pk)
        if InspectionForm.objects.filter(round=round_, tenant=tenant).exists():
            raise FireError(_("A form for this tenant was already recorded this month."))
        try:
            with transaction.atomic():
                form = InspectionForm.objects.create(
                    round=round_, tenant=tenant, inspector=actor, notes=notes.strip(), failed_count=len(failed)
                )
        except IntegrityError:
            raise FireError(_("A form for this tenant was already recorded this month.")) from None
        InspectionResult.objects.bulk_create([
            InspectionResult(form=form, item=items[a.item_id], item_text=items[a.item_id].text,
                             passed=a.passed, note=a.note.strip()[:300])
            for a in sorted(answers, key=lambda a: (items[a.item_id].sort_order, a.item_id))
        ])
        _save_photos(checked, centre_id=centre.pk, tenant_id=tenant.pk, actor=actor, form=form)
        audit_record(actor=actor, action="fire.form_recorded", obj=form, request=request,
                     details={"tenant": tenant.code, "failed": len(failed), "items": len(items)})
        if failed:
            case = RectificationCase.objects.create(centre=centre, tenant=tenant, form=form, deadline=deadline)
            CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.OPENED, actor=actor, deadline=deadline)
            audit_record(actor=actor, action="fire.case_opened", obj=case, request=request,
                         details={"tenant": tenant.code, "deadline": deadline.isoformat()})
            _issue_letter(case=case, actor=actor, failed=_failed_items(case))
    return form


# --- rectification letters -----------------------------------------------------

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


def _issue_letter(*, case: RectificationCase, actor, failed: list[tuple[str, str]], recheck: bool = False,
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
        failed = _failed_items(case)
        letter = _issue_letter(case=case, actor=actor, failed=failed, recheck=case.events.filter(
            kind=CaseEvent.Kind.REINSPECTED_FAILED).exists())
    if letter is None:
        raise FireError(_("The centre has no safety-department drafter to draft the rectification letter."))
    return letter


def _failed_items(case: RectificationCase) -> list[tuple[str, str]]:
    return list(case.form.results.filter(passed=False).values_list("item_text", "note"))


# --- the tenant's report and the re-inspection ------------------------------------

def _lock_case(case: RectificationCase) -> RectificationCase:
    return RectificationCase.objects.select_for_update().select_related("centre", "tenant", "form").get(pk=case.pk)


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
        case = _lock_case(case)
        if case.status == CaseStatus.REPORTED:
            raise FireError(_("The rectification was already reported; the inspector will re-inspect."))
        if case.status == CaseStatus.CLOSED:
            raise FireError(_("This case is closed."))
        event = CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.REPORTED, actor=actor, by_tenant=True,
                                         note=note.strip())
        _save_photos(checked, centre_id=case.centre_id, tenant_id=case.tenant_id, actor=actor, event=event)
        RectificationCase.objects.filter(pk=case.pk).update(status=CaseStatus.REPORTED)
        audit_record(actor=actor, action="fire.case_reported", obj=case, request=request,
                     details={"photos": len(checked)})
        case_id = case.pk
        transaction.on_commit(lambda: _notify_inspectors_later(case_id))
    return event


def _notify_inspectors_later(case_id: int) -> None:
    from .tasks import notify_case_reported

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
        case = _lock_case(case)
        if case.status == CaseStatus.CLOSED:
            raise FireError(_("This case is already closed."))
        now = timezone.now()
        if rectified:
            event = CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.CLOSED, actor=actor, note=note.strip(), at=now)
            RectificationCase.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closed_at=now, closed_by=actor)
            audit_record(actor=actor, action="fire.case_closed", obj=case, request=request)
        else:
            event = CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.REINSPECTED_FAILED, actor=actor,
                                             note=note.strip(), deadline=new_deadline, at=now)
            RectificationCase.objects.filter(pk=case.pk).update(
                status=CaseStatus.OPEN, deadline=new_deadline, escalated_at=None, letter=None,
            )
            case.deadline = new_deadline
            audit_record(actor=actor, action="fire.case_reinspected_failed", obj=case, request=request,
                         details={"deadline": new_deadline.isoformat()})
            _issue_letter(case=case, actor=actor, failed=_failed_items(case), recheck=True, remark=note.strip())
        _save_photos(checked, centre_id=case.centre_id, tenant_id=case.tenant_id, actor=actor, event=event)
    return event


# --- escalation ------------------------------------------------------------------

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
    from .tasks import notify_case_escalated

    notify_case_escalated.delay(case_id)


# --- the report ---------------------------------------------------------------------

def round_request_report(*, actor, round_: InspectionRound, request: HttpRequest | None = None) -> None:
    if not fire_centres_for(actor).filter(pk=round_.centre_id).exists():
        raise PermissionDenied
    with transaction.atomic():
        InspectionRound.objects.select_for_update().get(pk=round_.pk)
        InspectionRound.objects.filter(pk=round_.pk).update(report_requested_at=timezone.now())
        audit_record(actor=actor, action="fire.report_requested", obj=round_, request=request)
        round_id = round_.pk
        transaction.on_commit(lambda: _render_later(round_id))


def _render_later(round_id: int) -> None:
    from .tasks import render_round_report_task

    render_round_report_task.delay(round_id)


def round_render_report(*, round_id: int) -> InspectionRound:
    """Render the round's report as it stands now and store it with its hash.
    Rendering twice just stores the same report again."""
    from .report import render_report_pdf

    round_ = InspectionRound.objects.select_related("centre").get(pk=round_id)
    pdf = render_report_pdf(round_)
    digest = hashlib.sha256(pdf).hexdigest()
    with transaction.atomic():
        round_ = InspectionRound.objects.select_for_update().select_related("centre").get(pk=round_id)
        old = round_.report_pdf.name if round_.report_pdf else ""
        round_.report_pdf.save(f"{round_.centre.code}-{round_.month:%Y-%m}-{digest[:12]}.pdf", ContentFile(pdf), save=False)
        InspectionRound.objects.filter(pk=round_id).update(
            report_pdf=round_.report_pdf.name, report_sha256=digest, report_generated_at=timezone.now()
        )
        audit_record(actor=None, action="fire.report_rendered", obj=round_, details={"sha256": digest})
    if old and old != round_.report_pdf.name:
        round_.report_pdf.storage.delete(old)
    round_.refresh_from_db()
    return round_
