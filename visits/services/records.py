"""Visit records and the on-site check-in that proves presence."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.access import has_role
from portal.audit import audit_record
from portal.models.accounts import Role
from portal.uploads import safe_name, validate_photos
from tenants.models import Channel, RequestCategory, Tenant, Unit
from tenants.services.requests import request_create

from ..models import UnitCheckIn, UnitCode, VisitMode, VisitPhoto, VisitRecord
from .plans import plan_fulfil
from .standing import standing_touch

VISIT_ROLES = (Role.OPERATIONS, Role.MANAGER)
_UNIT_SALT = "visits.unit-code"


class VisitError(Exception):
    """Refused with a message for the person who tried."""


@dataclass(frozen=True)
class RaisedRequest:
    category: str
    subject: str
    description: str


# --- unit codes -------------------------------------------------------------------------


def unit_code_for(unit: Unit, *, actor=None, renew: bool = False) -> UnitCode:
    code, created = UnitCode.objects.get_or_create(unit=unit, defaults={"issued_by": actor})
    if renew and not created:
        from ..models.records import new_nonce

        code.nonce, code.issued_at, code.issued_by = new_nonce(), timezone.now(), actor
        code.save(update_fields=["nonce", "issued_at", "issued_by"])
        audit_record(actor=actor, action="unit_code.renewed", obj=unit)
    return code


def unit_token(code: UnitCode) -> str:
    return signing.dumps({"u": code.unit_id, "n": code.nonce}, salt=_UNIT_SALT, compress=True)


def checkin_scan(*, actor, token: str, request=None) -> UnitCheckIn:
    """A staff member scanned a unit's code. A forged, mangled or replaced
    code is refused, as is a unit of a centre the staff member does not serve."""
    try:
        data = signing.loads(token, salt=_UNIT_SALT)
        unit_id, nonce = int(data["u"]), str(data["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise VisitError(_("This is not a valid shop code.")) from exc
    code = UnitCode.objects.select_related("unit__tenant", "unit__centre").filter(unit_id=unit_id).first()
    if code is None or code.nonce != nonce:
        raise VisitError(_("This shop code has been replaced by a newer one. Scan the code posted in the shop."))
    unit = code.unit
    if not has_role(actor, unit.centre, *VISIT_ROLES):
        raise PermissionDenied
    if unit.tenant is None:
        raise VisitError(_("This unit has no tenant now."))
    checkin = UnitCheckIn.objects.create(unit=unit, tenant=unit.tenant, staff=actor, nonce=nonce)
    audit_record(actor=actor, action="visit.checked_in", obj=unit.tenant, request=request, details={"unit": unit.pk})
    return checkin


# --- visit records ----------------------------------------------------------------------


def visit_record_create(
    *,
    actor,
    tenant: Tenant,
    mode: str,
    people_met: str,
    topics: str,
    visited_at: datetime | None = None,
    checkin: UnitCheckIn | None = None,
    raised: Iterable[RaisedRequest] = (),
    photos: Iterable = (),
    submission_key: str = "",
    request=None,
) -> VisitRecord:
    """Record a visit. Each request the tenant raised becomes a request in
    the log (channel "visit"), linked to the record; the visit fulfils the
    tenant's planned window it falls in."""
    if not has_role(actor, tenant.centre, *VISIT_ROLES):
        raise PermissionDenied
    if submission_key:
        earlier = VisitRecord.objects.filter(submission_key=submission_key, staff=actor).first()
        if earlier is not None:
            return earlier
    raised = _checked_form(mode=mode, people_met=people_met, topics=topics, raised=raised)
    checked = validate_photos(photos)

    try:
        with transaction.atomic():
            checkin, visited_at = _when_and_where(actor=actor, tenant=tenant, mode=mode, checkin=checkin,
                                                  visited_at=visited_at)
            record = VisitRecord.objects.create(
                centre=tenant.centre, tenant=tenant, staff=actor, visited_at=visited_at, mode=mode,
                people_met=people_met.strip()[:300], topics=topics.strip(), checkin=checkin,
                submission_key=submission_key[:40],
            )
            _raise_requests(record=record, actor=actor, raised=raised, people_met=people_met, request=request)
            for upload, ext in checked:
                photo = VisitPhoto(record=record, uploaded_by=actor)
                photo.file.save(safe_name(getattr(upload, "name", ""), ext), File(upload), save=False)
                photo.save()
            plan_fulfil(record=record)
            standing_touch(tenant_id=tenant.pk, when=record.visited_at)
            audit_record(actor=actor, action="visit.recorded", obj=record, request=request,
                         details={"mode": mode, "requests": len(raised), "photos": len(checked)})
    except IntegrityError:
        # Two submits of the same form raced: the first one won.
        earlier = VisitRecord.objects.filter(submission_key=submission_key, staff=actor).first() if submission_key else None
        if earlier is None:
            raise
        return earlier
    return record


def _checked_form(*, mode: str, people_met: str, topics: str, raised: Iterable[RaisedRequest]) -> list[RaisedRequest]:
    """The form's own checks; returns the raised requests that have a subject."""
    if mode not in VisitMode.values:
        raise VisitError(_("Choose how the visit took place."))
    if not (people_met or "").strip() or not (topics or "").strip():
        raise VisitError(_("Say whom you met and what was discussed."))
    raised = [r for r in raised if (r.subject or "").strip()]
    for r in raised:
        if r.category not in RequestCategory.values:
            raise VisitError(_("Choose a valid category for each request."))
    return raised


def _when_and_where(*, actor, tenant: Tenant, mode: str, checkin: UnitCheckIn | None,
                    visited_at: datetime | None) -> tuple[UnitCheckIn | None, datetime]:
    """The check-in (locked) and the time of the visit. An on-site visit is
    timed by its fresh, unused scan of this shop by this person; any other
    visit by what the staff member says, never in the future."""
    now = timezone.now()
    if mode == VisitMode.ON_SITE:
        if checkin is None:
            raise VisitError(_("An on-site visit needs the shop's code: scan it first."))
        checkin = UnitCheckIn.objects.select_for_update().get(pk=checkin.pk)
        if checkin.staff_id != actor.pk or checkin.tenant_id != tenant.pk:
            raise VisitError(_("That scan was of another shop, or by someone else."))
        if VisitRecord.objects.filter(checkin=checkin).exists():
            raise VisitError(_("That scan was already used for a visit. Scan the shop's code again."))
        if now - checkin.scanned_at > timedelta(minutes=settings.ATRIUM_VISIT_CHECKIN_MINUTES):
            raise VisitError(_("That scan is too old. Scan the shop's code again."))
        return checkin, checkin.scanned_at
    visited_at = visited_at or now
    if visited_at > now + timedelta(minutes=5):
        raise VisitError(_("The visit cannot be in the future."))
    return None, visited_at


def _raise_requests(*, record: VisitRecord, actor, raised: list[RaisedRequest], people_met: str, request) -> None:
    """Each request the tenant raised becomes a request in the log, linked to the record."""
    for r in raised:
        sr = request_create(
            actor=actor, tenant=record.tenant, category=r.category, subject=r.subject.strip(),
            description=(r.description or r.subject).strip(), channel=Channel.VISIT,
            contact_name=people_met.strip()[:100], request=request,
            received_at=min(record.visited_at, timezone.now()),
        )
        record.requests.add(sr)
