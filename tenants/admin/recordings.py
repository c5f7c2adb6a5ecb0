"""Call recordings in the Wagtail admin: attach to a request, listen through
an access-checked audited view, hold and release, and the recording archive
log (《录音存档记录表》) with its export; the screen and its menu entry."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin.paginator import WagtailPaginator

from portal.admin_menu import AdminScreen, MenuEntry, reaches_any
from portal.audit import audit_record
from portal.files import private_stream_response
from portal.models.accounts import User
from tenants.admin.feedback import act_and_tell
from tenants.exports import simple_xlsx, when
from tenants.forms.archive import HoldForm, RecordingForm, ReleaseForm
from tenants.models import RecordingStatus
from tenants.models.recordings import release_label
from tenants.models.service_desk import PUBLIC_POST
from tenants.selectors.recordings import (
    recording_holds_visible_to,
    recordings_visible_to,
)
from tenants.selectors.requests import (
    REQUEST_HANDLE_ROLES,
    request_centres_handled_by,
    requests_visible_to_staff,
)
from tenants.services.recordings import (
    RecordingError,
    recording_attach,
    recording_hold,
    recording_open,
    recording_release,
)

AUDIO_TYPES = {".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".wav": "audio/wav", ".amr": "audio/amr", ".ogg": "audio/ogg"}

screen = AdminScreen("recordings/", "tenants_recordings", MenuEntry(
    gettext_lazy("Recording archive log"), "log", reaches_any(REQUEST_HANDLE_ROLES), "media", 111))


def _back(rec_or_sr):
    sr = getattr(rec_or_sr, "request", rec_or_sr)
    return reverse("wagtailsnippets_tenants_servicerequest:inspect", args=[sr.pk])


@screen.route("request/<int:pk>/add/", "add")
@require_POST
def recording_add(request, pk):
    sr = get_object_or_404(requests_visible_to_staff(request.user).select_related("centre"), pk=pk)
    act_and_tell(request, RecordingForm(request.POST, request.FILES), lambda data: recording_attach(
        actor=request.user, service_request=sr, upload=data["file"], recorded_at=data["recorded_at"],
        note=data["note"], request=request,
    ), (RecordingError, ValidationError), _("Recording attached."))
    return redirect(_back(sr))


@screen.route("<int:pk>/audio/", "file")
def recording_file(request, pk):
    rec = get_object_or_404(recordings_visible_to(request.user).select_related("request__centre"), pk=pk)
    try:
        handle = recording_open(actor=request.user, recording=rec, request=request)
    except RecordingError as exc:
        raise Http404(str(exc)) from exc
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    ext = "." + rec.file.name.rsplit(".", 1)[-1].lower()
    return private_stream_response(handle, content_type=AUDIO_TYPES.get(ext))


@screen.route("<int:pk>/hold/", "hold")
@require_POST
def recording_hold_view(request, pk):
    rec = get_object_or_404(recordings_visible_to(request.user).select_related("request__centre"), pk=pk)
    act_and_tell(request, HoldForm(request.POST), lambda data: recording_hold(
        actor=request.user, recording=rec, reason=data["reason"], keep_until=data["keep_until"], request=request,
    ), (RecordingError,), _("The recording is on hold and entered in the recording archive log."))
    return redirect(_back(rec))


@screen.route("holds/<int:pk>/release/", "release")
@require_POST
def hold_release(request, pk):
    hold = get_object_or_404(recording_holds_visible_to(request.user).select_related("recording__request"), pk=pk)
    form = ReleaseForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        recording_release(actor=request.user, hold=hold, note=note, request=request)
    except RecordingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Hold released."))
    return redirect(request.POST.get("next") == "log" and reverse("tenants_recordings:log") or _back(hold.recording))


def _log_columns():
    return [_("No."), _("Request"), _("Tenant"), _("Recorded at"), _("Recording hash (SHA-256)"), _("Held by"),
            _("Held at"), _("Reason"), _("Keep until"), _("Released by"), _("Released at"), _("Release note"),
            _("Recording status")]


# One screen of the log; the export has every row of the filter.
LOG_PAGE_SIZE = 50


def _log_rows(holds):
    """The export's rows, read as plain values in chunks: a year of an
    operator's holds as model objects (six joined models each) took most of
    the export's time (bench/bench_recording_log.py)."""
    people = {u.pk: str(u) for u in User.objects.filter(
        Q(pk__in=holds.values("held_by")) | Q(pk__in=holds.values("released_by")))}
    statuses, tz, public = dict(RecordingStatus.choices), timezone.get_current_timezone(), str(PUBLIC_POST)
    values = holds.values_list(
        "recording__request__number", "recording__request__tenant__trading_name", "recording__recorded_at",
        "recording__sha256", "held_by", "held_at", "reason", "keep_until", "released_by", "released_at",
        "release_note", "recording__status",
    )
    for i, (number, tenant, recorded, sha, held_by, held_at, reason, until, released_by, released_at, note,
            status) in enumerate(values.iterator(chunk_size=2000), start=1):
        yield [
            i, number, tenant or public, when(recorded, tz), sha, people.get(held_by, ""), when(held_at, tz), reason,
            until.isoformat(), release_label(released_at, people.get(released_by)), when(released_at, tz), note,
            str(statuses.get(status, status)),
        ]


def _log_export(request, holds, today):
    body = simple_xlsx(title=_("Recording archive log (录音存档记录表)"), columns=_log_columns(), rows=_log_rows(holds))
    audit_record(actor=request.user, action="recording.log_exported", request=request,
                 details={"rows": holds.count()})
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="recording-archive-log-{today:%Y%m%d}.xlsx"'
    return response


@screen.route("log/", "log")
def recording_log(request):
    """The recording archive log (《录音存档记录表》) of the user's centres:
    a page at a time on screen, every entry of the filter in the export."""
    centres = request_centres_handled_by(request.user)
    if not centres.exists():
        raise PermissionDenied
    holds = recording_holds_visible_to(request.user).select_related(
        "recording__request__tenant", "recording__request__centre", "held_by", "released_by"
    )
    centre = request.GET.get("centre") or ""
    state = request.GET.get("state") or ""
    if centre.isdigit():
        holds = holds.filter(recording__request__centre_id=int(centre))
    today = timezone.localdate()
    if state == "active":
        holds = holds.active()
    elif state == "review":
        holds = holds.to_review(today)
    elif state == "released":
        holds = holds.filter(released_at__isnull=False)
    holds = holds.order_by("-held_at", "-id")
    if request.GET.get("format") == "xlsx":
        return _log_export(request, holds, today)
    audit_record(actor=request.user, action="recording.log_viewed", request=request,
                 details={"centre": centre, "state": state})
    paginator = WagtailPaginator(holds, LOG_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("p"))
    for h in page:
        # The same test as RecordingHold.objects.to_review: a date passed on
        # a request still open keeps the hold, for staff to look at.
        h.past_until = h.released_at is None and h.keep_until < today and h.recording.request.is_open
    return TemplateResponse(request, "tenants/admin/recording_log.html", {
        "page": page, "elided_page_range": paginator.get_elided_page_range(page.number),
        "centres": centres, "centre": centre, "state": state, "release_form": ReleaseForm(),
        "page_title": _("Recording archive log"), "header_icon": "media",
    })
