"""Staff pages on the phone: my visits, record a visit, scan a shop's code,
print the shop codes, re-assign a visit. Thin: selectors decide who sees
what, services do the writing."""

from __future__ import annotations

from datetime import timedelta

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
from django.views.decorators.http import require_GET, require_POST

from portal.access import has_role
from portal.files import private_file_response
from portal.form_actions import form_action, form_status
from portal.models.accounts import Role
from tenants.models import Tenant, Unit

from ..forms import ReassignForm, VisitRecordForm
from ..models import PlannedVisitStatus, UnitCheckIn
from ..selectors import (
    planned_visits_visible_to,
    visit_centres_for,
    visit_photos_visible_to,
    visit_records_visible_to,
)
from ..services.plans import PlanError, plan_refresh_request, planned_visit_reassign
from ..services.records import (
    VisitError,
    checkin_scan,
    unit_code_for,
    unit_token,
    visit_record_create,
)
from .common import error_text, staff_only


def _tenants_for(user):
    return Tenant.objects.current().filter(centre__in=visit_centres_for(user)).order_by("centre", "code")


@login_required
@require_GET
def my_visits(request):
    staff_only(request.user)
    today = timezone.localdate()
    mine = (
        planned_visits_visible_to(request.user)
        .filter(assignee=request.user, status=PlannedVisitStatus.DUE, window_start__lte=today + timedelta(days=31))
        .select_related("tenant")
        .order_by("window_end")[:200]
    )
    overdue = [p for p in mine if p.window_end < today]
    due = [p for p in mine if p.window_end >= today]
    recent = visit_records_visible_to(request.user).filter(staff=request.user).select_related("tenant")[:10]
    return render(request, "visits/staff/my_visits.html", {
        "overdue": overdue, "due": due, "recent": recent, "today": today,
        "centres": visit_centres_for(request.user).order_by("name")[:50],
    })


@login_required
@never_cache
def record_new(request):
    staff_only(request.user)
    tenants = _tenants_for(request.user)
    checkin = None
    checkin_id = request.POST.get("checkin") or request.GET.get("checkin")
    if checkin_id:
        checkin = UnitCheckIn.objects.filter(pk=checkin_id if str(checkin_id).isdigit() else 0, staff=request.user).first()
    initial = {}
    if checkin is not None:
        initial = {"tenant": checkin.tenant_id, "mode": "on_site", "checkin": checkin.pk}
    elif request.GET.get("tenant", "").isdigit():
        initial = {"tenant": int(request.GET["tenant"])}
    form = VisitRecordForm(request.POST or None, request.FILES or None, tenants=tenants, initial=initial)
    record = form_action(request, form, lambda data: visit_record_create(
        actor=request.user, tenant=data["tenant"], mode=data["mode"], people_met=data["people_met"],
        topics=data["topics"], visited_at=data.get("visited_at"), checkin=checkin, raised=form.raised(),
        photos=data["photos"], submission_key=data.get("submission_key") or "", request=request,
    ), (VisitError, ValidationError), describe=error_text)
    if record is not None:
        messages.success(request, _("Visit to %(tenant)s recorded.") % {"tenant": record.tenant.trading_name})
        return redirect("visits:record", pk=record.pk)
    return render(request, "visits/staff/record_new.html", {"form": form, "checkin": checkin}, status=form_status(form))


@login_required
@require_GET
def record_detail(request, pk):
    staff_only(request.user)
    record = get_object_or_404(
        visit_records_visible_to(request.user).select_related("tenant", "staff", "checkin__unit"), pk=pk
    )
    return render(request, "visits/staff/record_detail.html", {
        "record": record, "photos": record.photos.all(), "requests": record.requests.all(),
    })


@login_required
@require_GET
def visit_photo(request, pk):
    photo = visit_photos_visible_to(request.user).filter(pk=pk).first()
    if photo is None:
        raise Http404
    return private_file_response(photo.file)


@login_required
@never_cache
def scan(request, token):
    """The shop's QR code leads here: a check-in, then the visit form."""
    staff_only(request.user)
    try:
        checkin = checkin_scan(actor=request.user, token=token, request=request)
    except VisitError as exc:
        return render(request, "visits/staff/scan_refused.html", {"reason": str(exc)}, status=400)
    except PermissionDenied:
        return render(request, "visits/staff/scan_refused.html",
                      {"reason": _("This shop is not in a centre you work for.")}, status=403)
    messages.success(request, _("Checked in at %(tenant)s.") % {"tenant": checkin.tenant.trading_name})
    return redirect(reverse("visits:record_new") + f"?checkin={checkin.pk}")


@login_required
@require_GET
def qr_sheet(request, centre_pk):
    """A printable sheet: one code per unit, to post in each shop."""
    staff_only(request.user)
    centre = get_object_or_404(visit_centres_for(request.user), pk=centre_pk)
    units = Unit.objects.filter(centre=centre, tenant__isnull=False).select_related("tenant").order_by("floor", "number")
    if request.GET.get("unit", "").isdigit():
        units = units.filter(pk=int(request.GET["unit"]))
    cards = []
    for unit in units[:500]:
        url = request.build_absolute_uri(reverse("visits:scan", args=[unit_token(unit_code_for(unit, actor=request.user))]))
        cards.append({"unit": unit, "svg": segno.make(url, error="m").svg_inline(scale=4), "url": url})
    return render(request, "visits/staff/qr_sheet.html", {"centre": centre, "cards": cards})


@login_required
@require_POST
def qr_renew(request, unit_pk):
    staff_only(request.user)
    unit = get_object_or_404(Unit.objects.filter(centre__in=visit_centres_for(request.user)), pk=unit_pk)
    if not has_role(request.user, unit.centre, Role.MANAGER, Role.OPERATIONS):
        raise PermissionDenied
    unit_code_for(unit, actor=request.user, renew=True)
    messages.success(request, _("A new code was made for %(unit)s. Print it and replace the old one.") % {"unit": unit.number})
    return redirect(reverse("visits:qr_sheet", args=[unit.centre_id]) + f"?unit={unit.pk}")


@login_required
@never_cache
def reassign(request, pk):
    staff_only(request.user)
    planned = get_object_or_404(planned_visits_visible_to(request.user).select_related("tenant", "centre"), pk=pk)
    from tenants.selectors.directory import assignable_staff

    form = ReassignForm(request.POST or None, staff=assignable_staff(planned.centre))
    n = form_action(request, form, lambda data: planned_visit_reassign(
        actor=request.user, planned=planned, assignee=data["assignee"], all_open_for_tenant=data["all_open"],
        request=request,
    ), (PlanError,), denied=_("Only a manager, or the person it is assigned to, can hand on this visit."))
    if n is not None:
        messages.success(request, _("%(n)s visit(s) re-assigned.") % {"n": n})
        return redirect("visits:my_visits")
    return render(request, "visits/staff/reassign.html", {"planned": planned, "form": form}, status=form_status(form))


@login_required
@require_POST
def plan_refresh(request, centre_pk):
    """Re-plan the centre's year now, e.g. after moving tenants in."""
    staff_only(request.user)
    centre = get_object_or_404(visit_centres_for(request.user), pk=centre_pk)
    year = plan_refresh_request(actor=request.user, centre=centre, request=request)
    messages.success(request, _("The %(year)s visit plan of %(centre)s is being brought up to date.")
                     % {"year": year, "centre": centre.name})
    return redirect("visits:my_visits")
