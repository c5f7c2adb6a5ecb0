"""Demo fire-safety months for centre A, made through the same services the
inspectors and tenants use: last month nearly all rectified with one case
overdue (its letter delivered long enough ago) and escalated, this month with cases open, reported, re-inspected
with a second letter, closed, and one whose letter is approved and sealed.
Idempotent: a round that already has forms is left alone."""

from __future__ import annotations

import struct
import zlib
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from notices.fire.models import (
    CaseEvent,
    CaseStatus,
    InspectionForm,
    InspectionRound,
    RectificationCase,
)
from notices.fire.selectors import month_start
from notices.fire.services.inspections import ItemAnswer, form_record
from notices.fire.services.rectification import (
    case_letter_delivered,
    case_reinspect,
    case_report,
    cases_escalate_overdue,
)
from notices.fire.services.rounds import (
    checklist_ensure_defaults,
    fire_monthly_cycle,
    round_ensure,
)
from notices.models import Delivery, LetterStatus
from notices.services.letters import letter_stamp
from portal.demo.later import render_now
from portal.demo.letters import _decide
from portal.models import User
from tenants.models import Tenant, TenantStatus

NOTES = {
    0: "后仓通道堆放纸箱",
    2: "1具灭火器压力不足",
    4: "收银台下插线板串接",
    5: "后厨使用卡式炉",
}


def _png(rgb: tuple[int, int, int], width: int = 160, height: int = 120) -> bytes:
    """A small solid-colour PNG, standing in for a photo from a phone."""
    row = b"\x00" + bytes(rgb) * width
    raw = row * height

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def _photo(name: str, rgb=(200, 60, 40)) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, _png(rgb), content_type="image/png")


def _answers(centre, failed: list[int]) -> list[ItemAnswer]:
    items = list(centre.fire_checklist.filter(active=True).order_by("sort_order", "pk"))
    return [ItemAnswer(item_id=item.pk, passed=n not in failed, note=NOTES.get(n, "") if n in failed else "")
            for n, item in enumerate(items)]


def _record(round_, tenant, inspector, failed: list[int]) -> InspectionForm:
    return form_record(
        actor=inspector, round_=round_, tenant=tenant, answers=_answers(round_.centre, failed),
        notes="现场已口头告知店长。" if failed else "",
        photos=[_photo("现场.png")] if failed else [],
    )


def _contact_user(tenant: Tenant) -> User | None:
    contact = tenant.contacts.filter(user__isnull=False, active=True).first()
    return contact.user if contact else None


def _seal(letter, leader, keeper) -> None:
    _decide(letter, leader, comment="同意发文。")
    _decide(letter, keeper, comment="同意用章。")
    if render_now():  # else seed_demo_render, in the worker
        letter_stamp(letter_id=letter.pk)
        _deliver(letter)


def _deliver(letter) -> None:
    """Deliver the sealed letter now, as the letters demo does with its own,
    so the demo is complete without a worker. Delivery belongs to the letters
    app; a build without it has nothing to deliver with."""
    try:
        from django.test import override_settings

        from portal.demo.letter_deliveries import QUIET
        from portal.demo.letter_deliveries import _deliver as deliver
    except ImportError:
        return
    with override_settings(**QUIET):
        deliver(letter)


def demo_overdue_case(overdue_days: int = 5) -> None:
    """Last month's one unrectified case: its letter delivered `overdue_days`
    past its days to rectify, so it is overdue and escalated — once. Run
    again after seed_demo_render delivered the letter; a no-op when its letter
    has not been delivered yet or it was escalated already."""
    today = timezone.localdate()
    last = InspectionRound.objects.filter(centre__code="BJ", month=month_start(today.replace(day=1) - timedelta(days=1))).first()
    case = RectificationCase.objects.filter(form__round=last, status=CaseStatus.OPEN).order_by("pk").first()
    if case is None or case.letter_id is None or case.events.filter(kind=CaseEvent.Kind.ESCALATED).exists():
        return
    delivered = Delivery.objects.filter(letter_id=case.letter_id, tenant_id=case.tenant_id)
    if not delivered.exists():
        return
    delivered.update(created_at=timezone.now() - timedelta(days=case.rectify_days + overdue_days))
    # Its clock restarts from the back-dated delivery (made now by the seeding).
    case.events.filter(kind=CaseEvent.Kind.LETTER_DELIVERED).delete()
    RectificationCase.objects.filter(pk=case.pk).update(deadline=None)
    case_letter_delivered(case_id=case.pk)
    cases_escalate_overdue(today=today)


def seed_fire(centres) -> None:
    centre = centres["BJ"]
    ops = User.objects.get(email="ops@a.atrium.demo")
    drafter = User.objects.get(email="drafter@a.atrium.demo")
    leader = User.objects.get(email="leader@a.atrium.demo")
    keeper = User.objects.get(email="seal@a.atrium.demo")
    for c in centres.values():
        checklist_ensure_defaults(centre=c)
    tenants = list(Tenant.objects.filter(centre=centre, status=TenantStatus.OPEN).order_by("code"))
    today = timezone.localdate()

    # Last month: 20 shops inspected, 3 failed; two rectified, one overdue and escalated.
    last = round_ensure(centre=centre, month=month_start(today.replace(day=1) - timedelta(days=1)))
    if not last.forms.exists():
        with transaction.atomic():
            for n, tenant in enumerate(tenants[20:40]):
                failed = {3: [0], 8: [2], 15: [4, 5]}.get(n, [])
                form = _record(last, tenant, ops if n % 2 else drafter, failed)
                InspectionForm.objects.filter(pk=form.pk).update(inspected_at=timezone.now().replace(day=1) - timedelta(days=20 - n % 5))
            cases = list(RectificationCase.objects.filter(form__round=last).order_by("pk"))
            for case in cases[:2]:
                user = _contact_user(case.tenant)
                if user is not None:
                    case_report(actor=user, case=case, note="已整改完毕，请复查。", photos=[_photo("整改后.png", (60, 160, 80))])
                case_reinspect(actor=ops, case=case, rectified=True, note="复查合格。")
            _seal(cases[2].letter, leader, keeper)  # delivered long enough ago to be overdue:
            demo_overdue_case()

    # This month: the notice (approved and sealed), 40 shops inspected, 6 failed.
    fire_monthly_cycle(today=today)
    current = InspectionRound.objects.get(centre=centre, month=month_start(today))
    notice = current.notice_letter
    if notice is not None and notice.status == LetterStatus.IN_APPROVAL:
        _seal(notice, leader, keeper)
    if current.forms.exists():
        return
    with transaction.atomic():
        # The demo signatories' shops are the first five: signer1 has a case to
        # report, signer2 has reported one, signer3 passed.
        script = {0: [0, 2], 1: [4], 2: [], 3: [5], 4: [0], 10: [2], 17: [4, 5]}
        forms = {}
        for n, tenant in enumerate(tenants[:40]):
            forms[n] = _record(current, tenant, ops if n % 3 else drafter, script.get(n, []))
        case_of = {n: forms[n].case for n in script if script[n]}
        # signer2's shop reported the work done, with a photo.
        case_report(actor=_contact_user(tenants[1]), case=case_of[1], note="插线板已拆除，改为墙插供电。",
                    photos=[_photo("整改后.png", (60, 160, 80))])
        # A shop re-inspected and found still failing: a second letter, a new deadline.
        reporter = _contact_user(tenants[3])
        if reporter is not None:
            case_report(actor=reporter, case=case_of[3], note="已停止使用卡式炉。", photos=[_photo("整改后.png", (60, 160, 80))])
        case_reinspect(actor=ops, case=case_of[3], rectified=False, note="后厨仍发现卡式炉及备用气罐。",
                       rectify_days=3)
        # One rectified and closed.
        case_reinspect(actor=drafter, case=case_of[10], rectified=True, note="灭火器已更换，复查合格。",
                       photos=[_photo("复查.png", (60, 160, 80))])
        # signer1's rectification letter went through the whole chain and was sealed.
        case_of[0].refresh_from_db()
        if case_of[0].letter and case_of[0].status == CaseStatus.OPEN:
            _seal(case_of[0].letter, leader, keeper)
