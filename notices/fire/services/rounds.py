"""State changes of the fire-safety cycle: the checklist, the monthly round
and its notice, and the round report. Inspection forms are in
inspections.py, rectification cases in rectification.py (this package).
Each is one transaction that locks its row, checks state and permission, and
writes the audit event."""

from __future__ import annotations

import hashlib
import logging
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
from django.utils.translation import gettext_lazy

from notices.fire.models import (
    ChecklistItem,
    FirePhoto,
    InspectionRound,
)
from notices.fire.selectors import (
    fire_centres_for,
    month_start,
    safety_drafters,
)
from notices.models import Letter, LetterKind, RecipientMode
from notices.services.drafting import letter_draft
from notices.services.notifications import reader_language
from portal.audit import audit_record
from portal.models.accounts import Department
from portal.uploads import safe_name
from tenants.models import Centre

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


NO_DRAFTER = gettext_lazy(
    "The centre has no drafter in the safety department, so this month's fire-safety inspection notice was not "
    "drafted. Give a staff member the drafter role in the safety department (安全部) of this centre; the notice is "
    "then drafted at the next daily run, or at once with “Draft the notice now”."
)


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
            # Staff see it on the round and on their home page (rounds_without_notice).
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


def round_notice_now(*, actor, round_: InspectionRound, request: HttpRequest | None = None) -> Letter:
    """Draft this month's notice now, once the centre has its safety drafter,
    instead of waiting for the next daily run (which would do the same: the
    round's lock and its notice_letter make it one notice either way)."""
    # Any of the centre's fire-safety staff may ask: it is what the daily run does anyway.
    if not fire_centres_for(actor).filter(pk=round_.centre_id).exists():
        raise PermissionDenied
    if round_.month != month_start():
        raise FireError(_("Only this month's inspection notice is drafted; this month has passed."))
    letter = round_draft_notice(round_id=round_.pk)
    if letter is None:
        raise FireError(NO_DRAFTER)
    audit_record(actor=actor, action="fire.notice_requested", obj=round_, request=request, details={"letter": letter.pk})
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


def save_photos(checked: list, *, centre_id: int, tenant_id: int, actor, form=None, event=None) -> None:
    for upload, ext in checked:
        photo = FirePhoto(centre_id=centre_id, tenant_id=tenant_id, form=form, event=event, uploaded_by=actor)
        photo.file.save(safe_name(getattr(upload, "name", ""), ext), File(upload), save=False)
        photo.save()


# --- the report ---------------------------------------------------------------------

def round_request_report(*, actor, round_: InspectionRound, request: HttpRequest | None = None) -> None:
    if not fire_centres_for(actor).filter(pk=round_.centre_id).exists():
        raise PermissionDenied
    with transaction.atomic():
        InspectionRound.objects.select_for_update().get(pk=round_.pk)
        InspectionRound.objects.filter(pk=round_.pk).update(report_requested_at=timezone.now())
        audit_record(actor=actor, action="fire.report_requested", obj=round_, request=request)
        round_id = round_.pk
        # The report is read by the person who asked for it: in their language.
        language = reader_language(actor)
        transaction.on_commit(lambda: _render_later(round_id, language))


def _render_later(round_id: int, language: str) -> None:
    from notices.fire.tasks import render_round_report_task

    render_round_report_task.delay(round_id, language)


def round_render_report(*, round_id: int, language: str | None = None) -> InspectionRound:
    """Render the round's report as it stands now, in `language` (Chinese by
    default), and store it with its hash. Rendering twice just stores the
    same report again."""
    from notices.fire.services.report import render_report_pdf

    round_ = InspectionRound.objects.select_related("centre").get(pk=round_id)
    pdf = render_report_pdf(round_, language=language)
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
