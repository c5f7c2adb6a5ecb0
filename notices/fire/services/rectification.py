"""Rectification cases: the letter that asks a shop to put things right, the
tenant's report, the re-inspection, and escalation when the deadline passes.
Each state change is one transaction that locks the case, checks state and
permission, and writes the audit event."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
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
from notices.models import Delivery, Letter, LetterKind, RecipientMode
from notices.services.drafting import letter_draft
from portal.audit import audit_record
from portal.models.accounts import Department
from portal.pdf.render import chinese_date
from portal.uploads import validate_photos
from tenants.selectors.contacts import tenant_contacts_of

# An inspector may give a shop up to a quarter to put things right.
RECTIFY_DAYS_MAX = 90

# --- rectification letters ----------------------------------------------------

def _letter_body(case: RectificationCase, failed: list[tuple[str, str]], *, recheck: bool, remark: str = "") -> str:
    tenant = case.tenant
    units = "、".join(u.number for u in tenant.units.all())
    items = "".join(f"<li>{escape(text)}{'：' + escape(note) if note else ''}；</li>" for text, note in failed)
    when = chinese_date(timezone.localdate())
    lead = (f"我司于{when}对贵店复查，以下问题仍未整改到位：" if recheck
            else f"我司于{chinese_date(timezone.localtime(case.form.inspected_at).date())}对贵店"
                 f"（{escape(units) or escape(tenant.code)}）进行月度消防安全检查，发现以下问题：")
    # The letter states the period, not a date: it is drafted at the
    # inspection and sealed after the approval chain, days later, so a printed
    # date could pass before the shop holds the letter. The period runs from
    # the letter's delivery; the portal shows the shop that exact date.
    return (
        f"<p>{lead}</p><ol>{items}</ol>"
        + (f"<p>复查情况：{escape(remark)}</p>" if remark else "")
        + f"<p>根据《购物中心客户关系维护管理规程》第4.8.1条，请贵店自收到本函之日起<b>{case.rectify_days}日内</b>完成整改，"
        "并通过租户门户“消防整改”上报整改情况及现场照片（门户显示整改期限的具体日期）。"
        "我司将安排复查；逾期未整改的，将上报商场管理层处理。</p>"
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
        recipient_mode=RecipientMode.NAMED, recipient_tenants=[tenant], requires_receipt=True,
        # Signed for by the case's deadline, set when the letter is delivered (case_letter_delivered).
        sign_by=None, submit=True, actor=actor, origin="fire.rectification", details={"case": case.pk},
    )
    RectificationCase.objects.filter(pk=case.pk).update(letter=letter, letter_error="")
    case.letter = letter
    CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.LETTER, actor=drafter, letter=letter)
    audit_record(actor=actor, action="fire.letter_drafted", obj=case,
                 details={"letter": letter.pk, "drafter": drafter.email, "rectify_days": case.rectify_days})
    return letter


def case_letter_delivered(*, case_id: int) -> RectificationCase | None:
    """Start the shop's time to rectify: the deadline is the day its current
    rectification letter was delivered to it plus the case's days. Once per
    letter: a case that has its deadline, is closed, or whose letter has not
    reached the shop yet is left alone, so a rerun changes nothing.

    The delivery is the moment the letter is in the shop's letters and its
    contacts are told; a paper hand-over is recorded as a receipt against that
    same delivery, so it never moves the deadline."""
    with transaction.atomic():
        case = RectificationCase.objects.select_for_update().filter(pk=case_id).first()
        if case is None or case.letter_id is None or case.deadline is not None or case.status == CaseStatus.CLOSED:
            return None
        delivery = Delivery.objects.filter(letter_id=case.letter_id, tenant_id=case.tenant_id).first()
        if delivery is None:
            return None
        deadline = timezone.localdate(delivery.created_at) + timedelta(days=case.rectify_days)
        RectificationCase.objects.filter(pk=case.pk).update(deadline=deadline, escalated_at=None)
        case.deadline = deadline
        # The letter is signed for by the same day (reminders stop then; an
        # unsigned one goes to operations staff for hand delivery).
        Letter.objects.filter(pk=case.letter_id, sign_by__isnull=True).update(sign_by=deadline)
        CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.LETTER_DELIVERED, letter_id=case.letter_id,
                                 deadline=deadline, at=delivery.created_at)
        audit_record(actor=None, action="fire.case_deadline_set", obj=case,
                     details={"letter": case.letter_id, "delivery": delivery.pk, "deadline": deadline.isoformat(),
                              "rectify_days": case.rectify_days})
    return case


def cases_letter_delivered(*, letter_id: int | None = None) -> list[int]:
    """Start the clock of every case whose letter reached its shop and has
    no deadline yet (those of `letter_id` only, when given). Called when a
    letter's deliveries are made, and by the daily sweep for any it missed."""
    waiting = RectificationCase.objects.awaiting_letter().filter(
        letter__isnull=False,
        letter__deliveries__tenant=F("tenant"),
    )
    if letter_id is not None:
        waiting = waiting.filter(letter_id=letter_id)
    started = []
    for case_id in waiting.values_list("pk", flat=True).distinct():
        if case_letter_delivered(case_id=case_id) is not None:
            started.append(case_id)
    return started


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


def check_rectify_days(days: int | None) -> int:
    """The days a shop is given, from its letter's delivery (the setting when not given)."""
    days = settings.ATRIUM_FIRE_RECTIFY_DAYS if days is None else days
    if not 1 <= days <= RECTIFY_DAYS_MAX:
        raise FireError(_("Give between 1 and %(max)s days to rectify.") % {"max": RECTIFY_DAYS_MAX})
    return days


def case_reinspect(*, actor, case: RectificationCase, rectified: bool, note: str = "", photos: Iterable = (),
                   rectify_days: int | None = None, request: HttpRequest | None = None) -> CaseEvent:
    """The inspector re-inspects: rectified closes the case; not rectified
    issues a new rectification letter, whose `rectify_days` run again from
    its delivery (the case has no deadline until then)."""
    if not may_inspect(actor, case.centre):
        raise PermissionDenied
    checked = validate_photos(photos)
    if not rectified:
        if rectify_days is None:
            raise FireError(_("Give the days the shop has to rectify after the new letter reaches it."))
        rectify_days = check_rectify_days(rectify_days)
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
                                             body=note.strip(), at=now)
            RectificationCase.objects.filter(pk=case.pk).update(
                status=CaseStatus.OPEN, deadline=None, rectify_days=rectify_days, escalated_at=None, letter=None,
            )
            case.deadline, case.rectify_days = None, rectify_days
            audit_record(actor=actor, action="fire.case_reinspected_failed", obj=case, request=request,
                         details={"rectify_days": rectify_days})
            issue_letter(case=case, actor=actor, failed=failed_items(case), recheck=True, remark=note.strip())
        save_photos(checked, centre_id=case.centre_id, tenant_id=case.tenant_id, actor=actor, event=event)
    return event


# --- escalation ---------------------------------------------------------------

def cases_escalate_overdue(*, today: date | None = None) -> list[int]:
    """Flag open cases past their deadline, once per deadline, and tell the
    centre's leaders and managers. Safe to run twice. A case whose letter has
    not reached the shop has no deadline and is never escalated."""
    today = today or timezone.localdate()
    # First any deadline the delivery hook missed (a lost message): a letter
    # delivered long ago is overdue now, not only from tomorrow.
    cases_letter_delivered()
    escalated = []
    for case_id in RectificationCase.objects.overdue(today).filter(escalated_at__isnull=True).values_list("pk", flat=True):
        with transaction.atomic():
            case = RectificationCase.objects.select_for_update().get(pk=case_id)
            if case.escalated_at is not None or case.status != CaseStatus.OPEN or not case.is_overdue_on(today):
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
