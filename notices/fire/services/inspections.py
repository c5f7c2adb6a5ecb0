"""Inspection forms: the inspector's record of one shop in a round. A failed
item opens a rectification case (rectification.py)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from notices.fire.models import (
    CaseEvent,
    ChecklistItem,
    InspectionForm,
    InspectionResult,
    InspectionRound,
    RectificationCase,
)
from notices.fire.selectors import may_inspect
from notices.fire.services.rectification import (
    check_rectify_days,
    failed_items,
    issue_letter,
)
from notices.fire.services.rounds import FireError, save_photos
from portal.audit import audit_record
from portal.uploads import validate_photos
from tenants.models import Tenant


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
    rectify_days: int | None = None,
    request: HttpRequest | None = None,
) -> InspectionForm:
    """Record what the inspector found at `tenant`. Every active checklist item
    is answered. Failed items open a rectification case with a letter; the
    shop has `rectify_days` (the setting by default) from the letter's
    delivery, so the case gets its deadline then, not now."""
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
    if failed:
        rectify_days = check_rectify_days(rectify_days)
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
        save_photos(checked, centre_id=centre.pk, tenant_id=tenant.pk, actor=actor, form=form)
        audit_record(actor=actor, action="fire.form_recorded", obj=form, request=request,
                     details={"tenant": tenant.code, "failed": len(failed), "items": len(items)})
        if failed:
            case = RectificationCase.objects.create(centre=centre, tenant=tenant, form=form, rectify_days=rectify_days)
            CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.OPENED, actor=actor)
            audit_record(actor=actor, action="fire.case_opened", obj=case, request=request,
                         details={"tenant": tenant.code, "rectify_days": rectify_days})
            issue_letter(case=case, actor=actor, failed=failed_items(case))
    return form
