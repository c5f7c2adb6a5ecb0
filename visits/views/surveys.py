"""Surveys: staff create, open and close them; tenants answer on the phone."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tenants.selectors import tenants_of_contact

from ..forms import SurveyAnswerForm, SurveyForm
from ..models import SurveyResponse, SurveyStatus
from ..selectors import (
    open_surveys_for_tenant_user,
    surveys_visible_to_staff,
    visit_centres_for,
)
from ..services.records import VisitError
from ..services.surveys import survey_answer, survey_create, survey_set_status
from .common import staff_only


@login_required
@never_cache
def survey_list(request):
    staff_only(request.user)
    form = SurveyForm(request.POST or None, centres=visit_centres_for(request.user))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            survey_create(actor=request.user, centre=d["centre"], title=d["title"], opens_on=d["opens_on"],
                          closes_on=d["closes_on"], request=request)
        except VisitError as exc:
            form.add_error(None, str(exc))
        except PermissionDenied:
            form.add_error(None, _("You cannot create surveys for this centre."))
        else:
            messages.success(request, _("Survey created with the ACSI questions. Open it when ready."))
            return redirect("visits:surveys")
    surveys = surveys_visible_to_staff(request.user).select_related("centre")[:100]
    return render(request, "visits/staff/surveys.html", {"surveys": surveys, "form": form},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def survey_status(request, pk):
    staff_only(request.user)
    survey = get_object_or_404(surveys_visible_to_staff(request.user), pk=pk)
    status = request.POST.get("status", "")
    if status not in (SurveyStatus.OPEN, SurveyStatus.CLOSED):
        messages.error(request, _("Unknown status."))
    else:
        try:
            survey_set_status(actor=request.user, survey=survey, status=status, request=request)
        except PermissionDenied:
            messages.error(request, _("You cannot change this survey."))
        else:
            messages.success(request, _("Survey updated."))
    return redirect("visits:surveys")


@login_required
@never_cache
def survey_answer_view(request, pk):
    survey = get_object_or_404(open_surveys_for_tenant_user(request.user).select_related("centre"), pk=pk)
    tenants = tenants_of_contact(request.user).filter(centre=survey.centre)
    answered = set(SurveyResponse.objects.filter(survey=survey, tenant__in=tenants).values_list("tenant_id", flat=True))
    open_tenants = tenants.exclude(pk__in=answered)
    if not open_tenants.exists():
        return render(request, "visits/tenant/survey_done.html", {"survey": survey})
    form = SurveyAnswerForm(request.POST or None, questions=survey.questions.all(), tenants=open_tenants)
    if request.method == "POST" and form.is_valid():
        try:
            survey_answer(actor=request.user, survey=survey, tenant=form.chosen_tenant(), scores=form.scores(),
                          comment=form.cleaned_data["comment"], request=request)
        except VisitError as exc:
            messages.error(request, str(exc))
            return redirect("visits:survey_answer", pk=survey.pk)
        messages.success(request, _("Thank you for your answers."))
        return redirect("portal:tenant_home")
    return render(request, "visits/tenant/survey.html", {"survey": survey, "form": form},
                  status=400 if form.errors else 200)
