"""Tenant meetings: scheduling with an invitation drafted as a meeting
notice, attendance at the door or by staff, minutes published to tenants,
suggestions recorded in the request log."""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.access import has_role
from portal.audit import audit_record
from portal.models.accounts import Department
from portal.uploads import DOCUMENT_KINDS, safe_name, validate_upload
from tenants.models import Channel, RequestCategory, Tenant
from tenants.selectors.contacts import tenant_contacts_of
from tenants.services.requests import request_create

from ..models import AttendanceMethod, Meeting, MeetingAttendance, MeetingSuggestion
from .records import VISIT_ROLES, VisitError
from .standing import standing_touch

_DOOR_SALT = "visits.meeting-door"


def _require_staff(actor, centre) -> None:
    if not has_role(actor, centre, *VISIT_ROLES):
        raise PermissionDenied


def meeting_schedule(
    *, actor, centre, kind: str, title: str, starts_at: datetime, ends_at: datetime, location: str, agenda: str,
    draft_invitation: bool = True, request=None,
) -> Meeting:
    """Schedule a meeting. The invitation is drafted as a meeting notice in
    the letters app, where it goes through the usual approval and seal chain
    before it is delivered."""
    _require_staff(actor, centre)
    if ends_at <= starts_at:
        raise VisitError(_("The meeting must end after it starts."))
    with transaction.atomic():
        meeting = Meeting.objects.create(
            centre=centre, kind=kind, title=title.strip(), starts_at=starts_at, ends_at=ends_at,
            location=location.strip(), agenda=agenda.strip(), created_by=actor,
        )
        if draft_invitation:
            meeting.notice_letter_id = _draft_invitation(meeting, actor).pk
            meeting.save(update_fields=["notice_letter_id"])
        audit_record(actor=actor, action="meeting.scheduled", obj=meeting, request=request)
    return meeting


def _draft_invitation(meeting: Meeting, actor):
    # An official notice is written in Chinese, whatever the drafter's screen language.
    with translation.override(settings.LANGUAGE_CODE):
        return _invitation_letter(meeting, actor)


def _invitation_letter(meeting: Meeting, actor):
    from notices.models import LetterKind, RecipientMode
    from notices.services.drafting import letter_draft

    when = timezone.localtime(meeting.starts_at)
    agenda = "".join(f"<li>{escape(line.strip())}</li>" for line in meeting.agenda.splitlines() if line.strip())
    intro = _("The centre will hold a tenant meeting:")
    time_label, place_label, agenda_label = _("Time"), _("Location"), _("Agenda")
    outro = _("Please send the person in charge of your shop. At the door, scan the meeting code with your phone to register.")
    body = (
        f"<p>{escape(intro)}</p>"
        f"<p><b>{escape(time_label)}</b>：{when:%Y-%m-%d %H:%M}　<b>{escape(place_label)}</b>：{escape(meeting.location)}</p>"
        f"<p><b>{escape(agenda_label)}</b></p><ol>{agenda}</ol>"
        f"<p>{escape(outro)}</p>"
    )
    return letter_draft(
        centre=meeting.centre, kind=LetterKind.MEETING, title=_("Notice of %(title)s") % {"title": meeting.title},
        body=body, department=Department.OPERATIONS, drafter=actor, recipient_mode=RecipientMode.ALL,
        requires_receipt=True, sign_by=when.date(), actor=actor, origin="meeting.invitation",
        details={"meeting": meeting.pk},
    )


def meeting_door_token(meeting: Meeting) -> str:
    return signing.dumps({"m": meeting.pk, "n": meeting.door_nonce}, salt=_DOOR_SALT, compress=True)


def _door_meeting(token: str) -> Meeting:
    try:
        data = signing.loads(token, salt=_DOOR_SALT)
        meeting_id, nonce = int(data["m"]), str(data["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise VisitError(_("This is not a valid meeting code.")) from exc
    meeting = Meeting.objects.select_related("centre").filter(pk=meeting_id).first()
    if meeting is None or meeting.door_nonce != nonce:
        raise VisitError(_("This meeting code is no longer valid."))
    margin = timedelta(minutes=settings.ATRIUM_MEETING_DOOR_MARGIN_MINUTES)
    now = timezone.now()
    if not (meeting.starts_at - margin <= now <= meeting.ends_at + margin):
        raise VisitError(_("Registration with this code is open only around the meeting's time."))
    return meeting


def meeting_checkin(*, actor, token: str, tenant: Tenant | None = None, request=None) -> MeetingAttendance:
    """A tenant's contact scanned the door code and signed in: their tenant
    is registered as present. A second scan for the same tenant is refused."""
    meeting = _door_meeting(token)
    contacts = tenant_contacts_of(actor).filter(tenant__centre=meeting.centre)
    if tenant is not None:
        contacts = contacts.filter(tenant=tenant)
    contact = contacts.first()
    if contact is None:
        raise PermissionDenied
    return _attend(meeting=meeting, tenant=contact.tenant, contact=contact, name=contact.name,
                   method=AttendanceMethod.QR, actor=actor, request=request)


def meeting_register(*, actor, meeting: Meeting, tenant: Tenant, attendee_name: str, request=None) -> MeetingAttendance:
    _require_staff(actor, meeting.centre)
    if tenant.centre_id != meeting.centre_id:
        raise VisitError(_("That tenant is not in this centre."))
    return _attend(meeting=meeting, tenant=tenant, contact=None, name=attendee_name.strip() or "—",
                   method=AttendanceMethod.STAFF, actor=actor, request=request)


def _attend(*, meeting, tenant, contact, name, method, actor, request) -> MeetingAttendance:
    try:
        with transaction.atomic():
            row = MeetingAttendance.objects.create(
                meeting=meeting, tenant=tenant, contact=contact, attendee_name=name[:100], method=method,
                recorded_by=actor, at=timezone.now(),
            )
            audit_record(actor=actor, action="meeting.attended", obj=meeting, request=request,
                         details={"tenant": tenant.pk, "method": method})
            standing_touch(tenant_id=tenant.pk, when=row.at)
    except IntegrityError as exc:
        raise VisitError(_("%(tenant)s is already registered for this meeting.") % {"tenant": tenant.trading_name}) from exc
    return row


def meeting_save_minutes(*, actor, meeting: Meeting, minutes: str, upload=None, publish: bool = False,
                         request=None) -> Meeting:
    _require_staff(actor, meeting.centre)
    ext = validate_upload(upload, kinds=DOCUMENT_KINDS) if upload is not None else None
    with transaction.atomic():
        row = Meeting.objects.select_for_update().get(pk=meeting.pk)
        row.minutes = (minutes or "").strip()
        if upload is not None:
            row.minutes_file.save(safe_name(getattr(upload, "name", ""), ext), File(upload), save=False)
        if publish:
            if not row.minutes and not row.minutes_file:
                raise VisitError(_("Write or upload the minutes before publishing them."))
            # Minutes record what the meeting decided: until it has ended they
            # can be drafted (and saved) but not shown to every tenant as final.
            if not row.minutes_published_at and timezone.now() < row.ends_at:
                raise VisitError(_("The meeting has not ended yet: publish its minutes once it is over."))
            row.minutes_published_at = row.minutes_published_at or timezone.now()
        row.save()
        audit_record(actor=actor, action="meeting.minutes_published" if publish else "meeting.minutes_saved",
                     obj=row, request=request)
    return row


def meeting_suggestion_add(*, actor, meeting: Meeting, tenant: Tenant, subject: str, description: str = "",
                           request=None) -> MeetingSuggestion:
    """A suggestion raised at the meeting goes into the request log, where
    staff answer it; the reply rate counts the answered ones."""
    _require_staff(actor, meeting.centre)
    if tenant.centre_id != meeting.centre_id:
        raise VisitError(_("That tenant is not in this centre."))
    with transaction.atomic():
        sr = request_create(
            actor=actor, tenant=tenant, category=RequestCategory.SUGGESTION, channel=Channel.MEETING,
            subject=subject, description=description or subject,
            received_at=min(meeting.starts_at, timezone.now()), request=request,
        )
        return MeetingSuggestion.objects.create(meeting=meeting, request=sr)
