"""Surveys: staff create, open and close them; tenants answer on the phone."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from portal.form_actions import form_action, form_status
from tenants.models import Tenant
from tenants.selectors.contacts import tenants_of_contact

from ..forms import SurveyAnswerForm, SurveyForm
from ..models import SurveyResponse, SurveyStatus
from ..selectors import (
    open_surveys_for_tenant_user,
    surveys_visible_to_staff,
    visit_centres_for,
)
from ..selectors.surveys import survey_results, surveys_with_figures
from ..services.records import VisitError
from ..services.survey_links import (
    SurveyLinkInvalid,
    survey_answer_by_link,
    survey_link_open,
)
from ..services.surveys import (
    survey_answer,
    survey_create,
    survey_is_answerable,
    survey_set_status,
)
from .common import staff_only


@login_required
@never_cache
def survey_list(request):
    """The surveys of the user's centres with their figures, and the form
    that creates one (in draft: nobody is asked until it is opened)."""
    staff_only(request.user)
    today = timezone.localdate()
    centres = visit_centres_for(request.user)
    initial = {"opens_on": today, "closes_on": today + timedelta(days=14)}
    if len(centres[:2]) == 1:  # most staff work for one centre: no choice to make
        initial["centre"] = centres.first()
    form = SurveyForm(request.POST or None, centres=centres, initial=initial)
    survey = form_action(request, form, lambda d: survey_create(
        actor=request.user, centre=d["centre"], title=d["title"], opens_on=d["opens_on"], closes_on=d["closes_on"],
        request=request,
    ), (VisitError,), denied=_("You cannot create surveys for this centre."))
    if survey is not None:
        messages.success(request, _("Survey created with the ACSI questions. Open it when ready."))
        return redirect("visits:survey", pk=survey.pk)
    surveys = surveys_with_figures(surveys_visible_to_staff(request.user).order_by("-opens_on", "-pk")[:100])
    return render(request, "visits/staff/surveys.html", {"surveys": surveys, "form": form}, status=form_status(form))


@login_required
@never_cache
def survey_detail(request, pk):
    """One survey: its state, the buttons that move it on, and its results."""
    staff_only(request.user)
    survey = get_object_or_404(surveys_visible_to_staff(request.user).select_related("centre", "created_by"), pk=pk)
    return render(request, "visits/staff/survey_detail.html", {
        "survey": survey, "results": survey_results(survey), "questions": survey.questions.all(),
        "answerable": survey_is_answerable(survey),
    })


@login_required
@require_POST
def survey_status(request, pk):
    staff_only(request.user)
    survey = get_object_or_404(surveys_visible_to_staff(request.user).select_related("centre"), pk=pk)
    status = request.POST.get("status", "")
    try:
        survey_set_status(actor=request.user, survey=survey, status=status, request=request)
    except VisitError as exc:
        messages.error(request, str(exc))
    except PermissionDenied:
        messages.error(request, _("You cannot change this survey."))
    else:
        if status == SurveyStatus.OPEN:
            messages.success(request, _("Survey opened: the contacts of every tenant of the centre are being emailed."))
        else:
            messages.success(request, _("Survey closed: no more answers are taken."))
    return redirect("visits:survey", pk=survey.pk)


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
    return render(request, "visits/tenant/survey.html", {"survey": survey, "form": form}, status=form_status(form))


@never_cache
def survey_link_answer(request, token):
    """A shop's contact answers through the link of their invitation, without
    an account (visits.services.survey_links). A link altered, too old, for a
    closed survey or a contact who left gets a page that says so."""
    try:
        link = survey_link_open(token)
    except SurveyLinkInvalid:
        return render(request, "visits/tenant/survey_link.html",
                      {"refused": _("This link is not valid. Open the link in the email exactly as it came, or ask "
                                    "the centre's operations staff.")}, status=400)
    except VisitError as exc:
        return render(request, "visits/tenant/survey_link.html", {"refused": str(exc)}, status=410)
    if link.answered:
        return render(request, "visits/tenant/survey_done.html", {"survey": link.survey})
    form = SurveyAnswerForm(request.POST or None, questions=link.survey.questions.all(),
                            tenants=Tenant.objects.filter(pk=link.tenant.pk))
    if request.method == "POST" and form.is_valid():
        try:
            survey_answer_by_link(token=token, scores=form.scores(), comment=form.cleaned_data["comment"],
                                  request=request)
        except (VisitError, SurveyLinkInvalid) as exc:
            return render(request, "visits/tenant/survey_link.html", {"refused": str(exc) or _("This survey is closed.")},
                          status=409)
        return render(request, "visits/tenant/survey_link.html", {"survey": link.survey, "thanks": link.tenant})
    return render(request, "visits/tenant/survey.html", {"survey": link.survey, "form": form, "shop": link.tenant},
                  status=form_status(form))
