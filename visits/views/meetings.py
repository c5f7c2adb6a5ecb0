"""Tenant meetings: staff schedule them, show the door code, register
attendance and suggestions, write the minutes; tenants register at the door
and read the published minutes."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.files import private_file_response
from portal.form_actions import form_action, form_status
from tenants.selectors.contacts import tenant_contacts_of

from ..forms import AttendanceForm, MeetingForm, MinutesForm, SuggestionForm
from ..models import MeetingAttendance
from ..selectors import (
    meeting_minutes_for_tenant_user,
    meetings_for_tenant_user,
    meetings_visible_to_staff,
    visit_centres_for,
)
from ..services.meetings import (
    _door_meeting,
    meeting_checkin,
    meeting_door_token,
    meeting_register,
    meeting_save_minutes,
    meeting_schedule,
    meeting_suggestion_add,
)
from ..services.records import VisitError
from .common import error_text, staff_only


@login_required
@never_cache
def meeting_list(request):
    staff_only(request.user)
    centres = visit_centres_for(request.user)
    # As on the survey screen: most staff work for one centre, no choice to make.
    initial = {"centre": centres.first()} if len(centres[:2]) == 1 else {}
    form = MeetingForm(request.POST or None, centres=centres, initial=initial)
    meeting = form_action(request, form, lambda d: meeting_schedule(
        actor=request.user, centre=d["centre"], kind=d["kind"], title=d["title"], starts_at=d["starts_at"],
        ends_at=d["ends_at"], location=d["location"], agenda=d["agenda"], request=request,
    ), (VisitError,), denied=_("You cannot schedule meetings for this centre."))
    if meeting is not None:
        messages.success(request, _("Meeting scheduled; its invitation is drafted as a meeting notice."))
        return redirect("visits:meeting", pk=meeting.pk)
    meetings = meetings_visible_to_staff(request.user).select_related("centre")[:100]
    return render(request, "visits/staff/meetings.html", {"meetings": meetings, "form": form}, status=form_status(form))


@login_required
@never_cache
def meeting_detail(request, pk):
    staff_only(request.user)
    meeting = get_object_or_404(meetings_visible_to_staff(request.user).select_related("centre"), pk=pk)
    tenants = meeting.centre.tenants.current().order_by("code")
    attend_form = AttendanceForm(prefix="a", tenants=tenants)
    suggestion_form = SuggestionForm(prefix="s", tenants=tenants)
    minutes_form = MinutesForm(prefix="m", initial={"minutes": meeting.minutes})
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "attend":
                attend_form = AttendanceForm(request.POST, prefix="a", tenants=tenants)
                if attend_form.is_valid():
                    meeting_register(actor=request.user, meeting=meeting, tenant=attend_form.cleaned_data["tenant"],
                                     attendee_name=attend_form.cleaned_data["attendee_name"], request=request)
                    messages.success(request, _("Attendance registered."))
                    return redirect("visits:meeting", pk=meeting.pk)
            elif action == "suggest":
                suggestion_form = SuggestionForm(request.POST, prefix="s", tenants=tenants)
                if suggestion_form.is_valid():
                    d = suggestion_form.cleaned_data
                    meeting_suggestion_add(actor=request.user, meeting=meeting, tenant=d["tenant"], subject=d["subject"],
                                           description=d["description"], request=request)
                    messages.success(request, _("Suggestion recorded in the request log; it must be answered."))
                    return redirect("visits:meeting", pk=meeting.pk)
            elif action == "minutes":
                minutes_form = MinutesForm(request.POST, request.FILES, prefix="m")
                if minutes_form.is_valid():
                    d = minutes_form.cleaned_data
                    meeting_save_minutes(actor=request.user, meeting=meeting, minutes=d["minutes"],
                                         upload=d["minutes_file"], publish=d["publish"], request=request)
                    messages.success(request, _("Minutes saved."))
                    return redirect("visits:meeting", pk=meeting.pk)
        except (VisitError, ValidationError) as exc:
            messages.error(request, error_text(exc))
        except PermissionDenied:
            messages.error(request, _("You cannot change this meeting."))
    context = {
        "meeting": meeting,
        "attendance": meeting.attendance.select_related("tenant").order_by("at"),
        "suggestions": meeting.suggestions.select_related("request__tenant").order_by("request__created_at"),
        "attend_form": attend_form, "suggestion_form": suggestion_form, "minutes_form": minutes_form,
        "tenant_count": tenants.count(),
    }
    return render(request, "visits/staff/meeting_detail.html", context)


@login_required
@require_GET
def meeting_door(request, pk):
    """The code shown at the door (on a screen or printed for the day)."""
    staff_only(request.user)
    meeting = get_object_or_404(meetings_visible_to_staff(request.user), pk=pk)
    url = request.build_absolute_uri(reverse("visits:door", args=[meeting_door_token(meeting)]))
    return render(request, "visits/staff/meeting_door.html",
                  {"meeting": meeting, "svg": segno.make(url, error="m").svg_inline(scale=8), "url": url})


@login_required
@never_cache
def door(request, token):
    """A tenant's signatory scanned the meeting code and signed in."""
    try:
        meeting = _door_meeting(token)
    except VisitError as exc:
        return render(request, "visits/tenant/door.html", {"refused": str(exc)}, status=400)
    contacts = list(tenant_contacts_of(request.user).filter(tenant__centre=meeting.centre))
    if not contacts:
        raise PermissionDenied
    if request.method == "POST":
        tenant = next((c.tenant for c in contacts if str(c.tenant_id) == request.POST.get("tenant")), contacts[0].tenant)
        try:
            meeting_checkin(actor=request.user, token=token, tenant=tenant, request=request)
        except VisitError as exc:
            return render(request, "visits/tenant/door.html", {"meeting": meeting, "refused": str(exc)}, status=400)
        return render(request, "visits/tenant/door.html", {"meeting": meeting, "done": tenant})
    return render(request, "visits/tenant/door.html", {"meeting": meeting, "contacts": contacts})


@login_required
@require_GET
def my_meetings(request):
    """The tenant's meetings: those to come (or under way) first, soonest
    first, with their time, place and agenda; then past ones with minutes."""
    if not tenant_contacts_of(request.user).exists():
        raise PermissionDenied
    meetings = list(meetings_for_tenant_user(request.user).select_related("centre")[:50])
    now = timezone.now()
    upcoming = sorted((m for m in meetings if m.ends_at >= now), key=lambda m: m.starts_at)
    past = [m for m in meetings if m.ends_at < now]
    return render(request, "visits/tenant/meetings.html", {"upcoming": upcoming, "past": past, "now": now})


@login_required
@require_GET
def my_meeting(request, pk):
    meeting = get_object_or_404(meetings_for_tenant_user(request.user).select_related("centre"), pk=pk)
    registered = MeetingAttendance.objects.filter(
        meeting=meeting, tenant__in=tenant_contacts_of(request.user).values("tenant")
    ).select_related("tenant").order_by("at")
    return render(request, "visits/tenant/meeting.html", {
        "meeting": meeting, "registered": registered, "now": timezone.now(),
        "agenda": [line.strip() for line in meeting.agenda.splitlines() if line.strip()],
    })


@login_required
@require_GET
def minutes_file(request, pk):
    """Staff of the centre, and tenants once the minutes are published."""
    meeting = (meetings_visible_to_staff(request.user).filter(pk=pk).first()
               or meeting_minutes_for_tenant_user(request.user).filter(pk=pk).first())
    if meeting is None or not meeting.minutes_file:
        raise Http404
    return private_file_response(meeting.minutes_file)
