"""Tenant side: "my fire-safety cases" under /my/fire-safety/, and the photo
view both sides use. Thin: the selectors decide who sees what."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from notices.fire.forms import ReportForm
from notices.fire.models import CaseStatus
from notices.fire.selectors import (
    case_events_for_tenant,
    cases_of_tenant_user,
    photos_visible_to,
    tenant_letter_url,
)
from notices.fire.services.rectification import case_report
from notices.fire.services.rounds import FireError
from portal.files import private_file_response
from tenants.selectors.contacts import is_tenant_contact


@login_required
@require_GET
def my_cases(request):
    if not is_tenant_contact(request.user):
        raise PermissionDenied
    # Unresolved cases first (no closing time), by deadline (those whose letter
    # has not arrived yet last); then the closed ones, latest first.
    cases = cases_of_tenant_user(request.user).order_by(F("closed_at").desc(nulls_first=True),
                                                        F("deadline").asc(nulls_last=True))
    return render(request, "fire/tenant/list.html", {"cases": cases})


@login_required
@never_cache
def my_case(request, pk):
    case = get_object_or_404(cases_of_tenant_user(request.user), pk=pk)
    form = ReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            case_report(actor=request.user, case=case, note=form.cleaned_data["note"],
                        photos=form.cleaned_data["photos"], request=request)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        except FireError as exc:
            case.refresh_from_db(fields=["status"])
            if case.status != CaseStatus.OPEN:
                # Already reported (a double click, a second phone): say so and show the case.
                messages.info(request, str(exc))
                return redirect("fire:my_case", pk=case.pk)
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Thank you: your rectification was reported. The inspector will re-inspect."))
            return redirect("fire:my_case", pk=case.pk)
    return render(request, "fire/tenant/detail.html", {
        "case": case, "failed": case.form.results.filter(passed=False), "form_photos": case.form.photos.all(),
        "events": case_events_for_tenant(case),
        "form": form, "can_report": case.status == CaseStatus.OPEN, "letter_url": tenant_letter_url(case),
    }, status=400 if form.errors else 200)


@login_required
@require_GET
def photo(request, pk):
    """Photos are confidential: staff of the centre and the tenant's own
    contacts only, never from a public media folder."""
    item = photos_visible_to(request.user).filter(pk=pk).first()
    if item is None:
        raise Http404
    return private_file_response(item.file)
