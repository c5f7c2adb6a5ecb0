"""The survey's answer link, for a shop's contact without a portal account.

Most shop contacts have no account (in the demo centre, 5 of 251 with an
email), and a survey that asks them to make one first is a survey they do not
answer. So the invitation carries, per shop, a link signed for that shop and
contact (django.core.signing, its own salt): opening it shows the survey and
records the answer as the shop's, without signing in.

A forwarded link lets whoever holds it answer for the shop. Accepted for a
satisfaction survey: the answer is an opinion, not a commitment (nothing is
signed or paid), the shop gets one answer whoever gives it, the answer keeps
the contact whose link was used (staff can ask them), and the link is dead
once the survey closes (or its closing date passes) and once the contact is
made inactive (they left the shop). Letters and requests, which bind the
shop, still need an account."""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from tenants.models import Contact, Tenant

from ..models import Survey, SurveyResponse
from .records import VisitError
from .surveys import record_answer, survey_is_answerable

SALT = "visits.survey-answer-link"
# A backstop only: the link already stops with its survey (closed, or past
# its closing date); no survey runs for anything like a year.
MAX_AGE = 366 * 24 * 3600


class SurveyLinkInvalid(Exception):
    """The link was altered, is not one of ours, or is too old."""


@dataclass(frozen=True)
class SurveyLink:
    survey: Survey
    tenant: Tenant
    contact: Contact

    @property
    def answered(self) -> bool:
        return SurveyResponse.objects.filter(survey=self.survey, tenant=self.tenant).exists()


def survey_link_path(survey: Survey, contact: Contact) -> str:
    token = signing.dumps({"s": survey.pk, "t": contact.tenant_id, "c": contact.pk}, salt=SALT, compress=True)
    return reverse("visits:survey_link", args=[token])


def survey_link_open(token: str) -> SurveyLink:
    """What a link names, checked now: its survey open and answerable today,
    its contact still an active contact of the shop, the shop still current.
    Raises SurveyLinkInvalid (forged, altered, too old) or VisitError (closed,
    the contact gone), whose message the page shows."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
        survey_id, tenant_id, contact_id = int(data["s"]), int(data["t"]), int(data["c"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise SurveyLinkInvalid from exc
    survey = Survey.objects.select_related("centre").filter(pk=survey_id).first()
    contact = Contact.objects.active().select_related("tenant").filter(
        pk=contact_id, tenant_id=tenant_id, tenant__centre_id=getattr(survey, "centre_id", None),
    ).first()
    if survey is None or contact is None or not Tenant.objects.current().filter(pk=tenant_id).exists():
        raise VisitError(_("This link no longer works: ask the centre's operations staff for the survey."))
    if not survey_is_answerable(survey):
        raise VisitError(_("This survey is closed. Thank you for your interest."))
    return SurveyLink(survey=survey, tenant=contact.tenant, contact=contact)


def survey_answer_by_link(*, token: str, scores: dict[int, int], comment: str = "", request=None) -> SurveyResponse:
    """The shop's answer through its link: checked again at sending (the
    survey may have closed since the page was shown); one answer per shop,
    as for an answer signed in."""
    link = survey_link_open(token)
    return record_answer(survey=link.survey, tenant=link.tenant, contact=link.contact, user=None, scores=scores,
                         comment=comment, request=request, details={"contact": link.contact.pk, "by_link": True})
