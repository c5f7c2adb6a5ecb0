"""Call recordings (R7, clause 4.5): attach, listen, hold, release, purge.

Same shape as the other services: one transaction, the row locked, the
state and the actor's right checked, an audit event for each change."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import File
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.audit import audit_record
from portal.spreadsheets import when
from portal.uploads import AUDIO_KINDS, safe_name, upload_sha256, validate_upload
from tenants.models import (
    CallRecording,
    RecordingHold,
    RecordingStatus,
    ServiceRequest,
)
from tenants.selectors.requests import handles_requests

log = logging.getLogger(__name__)


class RecordingError(Exception):
    """The recording cannot change this way now; the message says why."""


# How long before its request was received a call may have been recorded.
# The call that raises a request comes first, and the desk often logs it
# later — a hotline call at night is written up the next morning, with the
# time of writing as "received" — so a day's leeway; a call older than that
# belongs to another matter (or its time was mistyped), and dating it back
# would also start its retention early.
CALL_BEFORE_REQUEST = timedelta(days=1)


def request_log_call(*, actor, recording=None, request: HttpRequest | None = None, **fields) -> ServiceRequest:
    """A call logged at the hotline: the request and, when given, its
    recording — both or neither. `fields` are those of `request_create`."""
    from tenants.services.requests import request_create

    with transaction.atomic():
        sr = request_create(actor=actor, request=request, **fields)
        if recording:
            # The audio was checked when it was uploaded, so this does not
            # fail on content; any other failure undoes the request too.
            recording_attach(actor=actor, service_request=sr, upload=recording,
                             recorded_at=fields.get("received_at"), request=request)
    return sr


def recording_attach(
    *, actor, service_request: ServiceRequest, upload, recorded_at: datetime | None = None, note: str = "",
    request: HttpRequest | None = None,
) -> CallRecording:
    """Attach a call recording to a request. The audio is judged by its bytes."""
    if not handles_requests(actor, service_request.centre):
        raise PermissionDenied
    ext = validate_upload(upload, kinds=AUDIO_KINDS, max_bytes=settings.ATRIUM_RECORDING_MAX_BYTES)
    now = timezone.now()
    if recorded_at is not None and recorded_at > now + timedelta(minutes=5):
        raise RecordingError(_("A call cannot have been recorded in the future."))
    if recorded_at is not None and recorded_at < service_request.created_at - CALL_BEFORE_REQUEST:
        raise RecordingError(_(
            "This call (%(recorded)s) is more than a day before the request was received (%(received)s): "
            "check the time, or attach it to the request it belongs to."
        ) % {"recorded": when(recorded_at), "received": when(service_request.created_at)})
    digest = upload_sha256(upload)
    with transaction.atomic():
        rec = CallRecording(
            request=service_request, original_name=(getattr(upload, "name", "") or "")[:255], size=upload.size,
            sha256=digest, recorded_at=recorded_at or now, note=(note or "").strip()[:300], uploaded_by=actor,
        )
        rec.file.save(safe_name(rec.original_name, ext), File(upload), save=False)
        rec.save()
        audit_record(actor=actor, action="recording.attached", obj=rec, request=request,
                     details={"request": service_request.number, "sha256": digest, "size": rec.size})
    return rec


def recording_open(*, actor, recording: CallRecording, request: HttpRequest | None = None):
    """Open a recording's audio for `actor`, recording that it was played."""
    if not handles_requests(actor, recording.request.centre):
        raise PermissionDenied
    if recording.is_purged or not recording.file:
        raise RecordingError(_("This recording was purged after its retention period."))
    handle = recording.file.open("rb")
    audit_record(actor=actor, action="recording.played", obj=recording, request=request)
    return handle


def recording_hold(
    *, actor, recording: CallRecording, reason: str, keep_until: date, request: HttpRequest | None = None
) -> RecordingHold:
    """Keep a recording of an unfinished special case past its retention:
    one entry of the recording archive log (《录音存档记录表》)."""
    if not (reason or "").strip():
        raise RecordingError(_("Say why the recording must be kept."))
    if keep_until is None or keep_until <= timezone.localdate():
        raise RecordingError(_("Keep it until a date in the future."))
    with transaction.atomic():
        rec = CallRecording.objects.select_for_update().select_related("request__centre").get(pk=recording.pk)
        if not handles_requests(actor, rec.request.centre):
            raise PermissionDenied
        if rec.is_purged:
            raise RecordingError(_("This recording was purged after its retention period."))
        if rec.holds.filter(released_at__isnull=True).exists():
            raise RecordingError(_("This recording is already on hold."))
        hold = RecordingHold.objects.create(recording=rec, reason=reason.strip(), keep_until=keep_until, held_by=actor)
        audit_record(actor=actor, action="recording.held", obj=rec, request=request,
                     details={"hold": hold.pk, "keep_until": keep_until, "reason": hold.reason})
    return hold


def recording_release(*, actor, hold: RecordingHold, note: str = "", request: HttpRequest | None = None) -> RecordingHold:
    """End a hold: the recording is purged by the next daily run if its
    retention period is over."""
    with transaction.atomic():
        hold = RecordingHold.objects.select_for_update().select_related("recording__request__centre").get(pk=hold.pk)
        if not handles_requests(actor, hold.recording.request.centre):
            raise PermissionDenied
        if hold.released_at is not None:
            raise RecordingError(_("This hold was already released."))
        hold.released_at, hold.released_by, hold.release_note = timezone.now(), actor, (note or "").strip()[:300]
        hold.save(update_fields=["released_at", "released_by", "release_note"])
        audit_record(actor=actor, action="recording.released", obj=hold.recording, request=request,
                     details={"hold": hold.pk, "note": hold.release_note})
    return hold


def recording_hold_expire(*, hold_id: int, today: date | None = None) -> bool:
    """Release one hold whose keep-until date has passed (the day itself is
    still kept) if its request is closed. Nobody released it, so
    `released_by` stays empty and the note says why; the recording then meets
    the normal purge schedule. A hold on a request still open stays in force
    (RecordingHold.objects.to_review): the evidence of an unfinished case is
    not the clock's to let go."""
    today = today or timezone.localdate()
    with transaction.atomic():
        found = RecordingHold.objects.filter(pk=hold_id).values_list("recording__request_id", flat=True).first()
        if found is None:
            return False
        # The request first, as reopening locks it: a case reopened at this
        # moment keeps its hold.
        ServiceRequest.objects.select_for_update().filter(pk=found).first()
        hold = RecordingHold.objects.select_for_update().expirable(today).filter(pk=hold_id).first()
        if hold is None:
            return False
        with translation.override(settings.LANGUAGE_CODE):  # the log's language, not a request's
            note = _("Released automatically: the keep-until date has passed.")
        hold.released_at, hold.release_note = timezone.now(), note
        hold.save(update_fields=["released_at", "release_note"])
        audit_record(actor=None, action="recording.hold_expired", obj=hold.recording,
                     details={"hold": hold.pk, "keep_until": hold.keep_until})
    return True


def recording_holds_expire(*, today: date | None = None) -> int:
    """The daily run, before the purge: release every hold past its date
    whose request is closed; those on open requests wait for staff."""
    today = today or timezone.localdate()
    due = RecordingHold.objects.expirable(today).values_list("pk", flat=True)
    return sum(recording_hold_expire(hold_id=pk, today=today) for pk in list(due))


def recording_purge_due(recording: CallRecording, now: datetime) -> bool:
    """The purge's rule for one recording (CallRecording.objects.purge_due)."""
    return CallRecording.objects.purge_due(now).filter(pk=recording.pk).exists()


def recording_purge(*, recording_id: int, now: datetime | None = None) -> bool:
    """Delete one recording's audio if its request is closed, its retention
    is over and nothing holds it; the row stays, marked purged, with its hash
    as evidence."""
    now = now or timezone.now()
    with transaction.atomic():
        request_id = CallRecording.objects.filter(pk=recording_id).values_list("request_id", flat=True).first()
        if request_id is None:
            return False
        # The request first (as reopening and holding lock it), then the row:
        # a case reopened or a hold taken meanwhile is seen by the check below.
        ServiceRequest.objects.select_for_update().filter(pk=request_id).first()
        rec = CallRecording.objects.select_for_update().filter(pk=recording_id).first()
        if rec is None or not recording_purge_due(rec, now):
            return False
        name = rec.file.name
        rec.status, rec.purged_at = RecordingStatus.PURGED, now
        rec.file = ""
        rec.save(update_fields=["status", "purged_at", "file"])
        audit_record(actor=None, action="recording.purged", obj=rec,
                     details={"file": name, "sha256": rec.sha256, "recorded_at": rec.recorded_at})
        # Deleted inside the transaction: if storage refuses, the row rolls
        # back to "kept" and tomorrow's run tries again.
        if name:
            CallRecording._meta.get_field("file").storage.delete(name)
    return True


def recordings_purge(*, now: datetime | None = None) -> int:
    """The daily run: purge every recording the rule says is due, chosen by
    the database (CallRecording.objects.purge_due), each then re-checked
    under its lock."""
    now = now or timezone.now()
    candidates = CallRecording.objects.purge_due(now).values_list("pk", flat=True)
    purged = 0
    for pk in list(candidates):
        try:
            purged += recording_purge(recording_id=pk, now=now)
        except Exception:  # one bad file must not stop the others
            log.exception("purging recording %s failed", pk)
    return purged
