"""Satisfaction surveys: create with the ACSI question set, open, answer."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portal.access import has_role
from portal.audit import audit_record
from portal.models.accounts import Role
from tenants.models import Tenant
from tenants.selectors.contacts import tenant_contacts_of

from ..models import (
    Dimension,
    Survey,
    SurveyQuestion,
    SurveyResponse,
    SurveyScore,
    SurveyStatus,
)
from .records import VisitError

SURVEY_ROLES = (Role.OPERATIONS, Role.MANAGER)

# After seed 001: ACSI's five dimensions, phrased so that 5 is always good.
DEFAULT_QUESTIONS = [
    (Dimension.QUALITY, gettext_noop("How satisfied are you with the cleanliness, safety and upkeep of the centre?")),
    (Dimension.QUALITY, gettext_noop("How satisfied are you with the attitude and speed of the operations staff?")),
    (Dimension.VALUE, gettext_noop("Are the service charges fair for the service you receive?")),
    (Dimension.EXPECTATIONS, gettext_noop("Does the centre's service meet what you expected when you moved in?")),
    (Dimension.COMPLAINTS, gettext_noop("When you raised a problem or complaint, how well was it handled?")),
    (Dimension.LOYALTY, gettext_noop("How likely are you to renew your lease and recommend the centre?")),
]


def survey_create(*, actor, centre, title: str, opens_on: date, closes_on: date, request=None) -> Survey:
    if not has_role(actor, centre, *SURVEY_ROLES):
        raise PermissionDenied
    if closes_on < opens_on:
        raise VisitError(_("The survey must close after it opens."))
    if closes_on < timezone.localdate():
        raise VisitError(_("The closing date has already passed."))
    with transaction.atomic():
        survey = Survey.objects.create(centre=centre, title=title.strip(), opens_on=opens_on, closes_on=closes_on,
                                       created_by=actor)
        SurveyQuestion.objects.bulk_create([
            SurveyQuestion(survey=survey, dimension=dim, text=_(text), order=i)
            for i, (dim, text) in enumerate(DEFAULT_QUESTIONS)
        ])
        audit_record(actor=actor, action="survey.created", obj=survey, request=request)
    return survey


# Which status a survey may move to, from which. A closed survey stays
# closed: its results are what was reported, and reopening would invite the
# contacts a second time.
_FROM = {SurveyStatus.OPEN: (SurveyStatus.DRAFT,), SurveyStatus.CLOSED: (SurveyStatus.OPEN,)}


def survey_set_status(*, actor, survey: Survey, status: str, request=None) -> Survey:
    """Open a draft survey (the contacts of every tenant of the centre are
    emailed by a worker once the change is committed) or close an open one."""
    if not has_role(actor, survey.centre, *SURVEY_ROLES):
        raise PermissionDenied
    if status not in _FROM:
        raise VisitError(_("Unknown status."))
    with transaction.atomic():
        row = Survey.objects.select_for_update().get(pk=survey.pk)
        if row.status not in _FROM[status]:
            # Two people pressing the button: the second is told, not a 500.
            if status == SurveyStatus.OPEN:
                message = _("Only a draft survey can be opened; this one is: %(status)s.")
            else:
                message = _("Only an open survey can be closed; this one is: %(status)s.")
            raise VisitError(message % {"status": row.get_status_display()})
        if status == SurveyStatus.OPEN and row.closes_on < timezone.localdate():
            raise VisitError(_("The survey's closing date has passed; create a new survey instead."))
        row.status = status
        row.save(update_fields=["status"])
        audit_record(actor=actor, action=f"survey.{status}", obj=row, request=request)
    if status == SurveyStatus.OPEN:
        from ..tasks import survey_invite

        transaction.on_commit(lambda: survey_invite.delay(row.pk))
    return row


def survey_is_answerable(survey: Survey, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return survey.status == SurveyStatus.OPEN and survey.opens_on <= today <= survey.closes_on


def survey_answer(*, actor, survey: Survey, tenant: Tenant, scores: dict[int, int], comment: str = "",
                  request=None) -> SurveyResponse:
    """One answer per tenant: the first contact to answer speaks for the shop;
    a second answer is refused with a message, by the database if need be."""
    contact = tenant_contacts_of(actor).filter(tenant=tenant, tenant__centre=survey.centre_id).first()
    if contact is None:
        raise PermissionDenied
    return record_answer(survey=survey, tenant=tenant, contact=contact, user=actor, scores=scores, comment=comment,
                         request=request)


def record_answer(*, survey: Survey, tenant: Tenant, contact, user, scores: dict[int, int], comment: str = "",
                  request=None, details: dict | None = None) -> SurveyResponse:
    """The shop's answer, by `contact` (signed in as `user`, or None through
    the emailed link: visits.services.survey_links). The caller has checked
    that `contact` speaks for `tenant`."""
    survey = Survey.objects.get(pk=survey.pk)  # its status now, not when the page was shown
    if not survey_is_answerable(survey):
        raise VisitError(_("This survey is not open."))
    questions = {q.pk: q for q in survey.questions.all()}
    if set(scores) != set(questions) or any(not (1 <= int(v) <= 5) for v in scores.values()):
        raise VisitError(_("Answer every question with a score from 1 to 5."))
    floor = tenant.units.aggregate(f=Min("floor"))["f"]
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(
                survey=survey, tenant=tenant, contact=contact, user=user, tier=tenant.tier, floor=floor,
                comment=(comment or "").strip()[:2000], submitted_at=timezone.now(),
            )
            SurveyScore.objects.bulk_create([
                SurveyScore(response=response, question=q, dimension=q.dimension, score=int(scores[pk]))
                for pk, q in questions.items()
            ])
            audit_record(actor=user, action="survey.answered", obj=survey, request=request,
                         details={"tenant": tenant.pk, **(details or {})})
    except IntegrityError as exc:
        raise VisitError(_("Your shop has already answered this survey. Thank you!")) from exc
    return response
