"""Survey figures for the management screen: answers against the tenants
asked, and satisfaction (the share of scores of 4 or 5) overall, by ACSI
dimension, by tier and by floor, with the free comments.

Which surveys a user may see is decided in selectors.access
(`surveys_visible_to_staff`); these functions only count."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q

from portal.models.outbox import OutboxEntry
from tenants.models import Contact, Tenant, Tier

from ..models import (
    SATISFIED_SCORE,
    Dimension,
    ReminderSent,
    Survey,
    SurveyResponse,
    SurveyScore,
)
from .dashboard import Row, floor_label
from .targets import rate

_GOOD = Q(score__gte=SATISFIED_SCORE)


def invitation_prefix(survey_id: int) -> str:
    """The outbox key of a survey's invitations, before the address
    (visits.services.notify)."""
    return f"survey:{survey_id}:"


def invited_count(survey: Survey) -> int:
    """Addresses the invitation reached (accepted by the mail server); with
    those of the earlier scheme, one ReminderSent row per account."""
    now = OutboxEntry.objects.filter(key__startswith=invitation_prefix(survey.pk), email_sent_at__isnull=False).count()
    return now + ReminderSent.objects.filter(kind="survey", key=str(survey.pk), notified_at__isnull=False).count()


def shops_without_email(survey: Survey):
    """The survey's shops no invitation can reach: no active contact with an
    email. Staff phone them, or add an address and answer with them."""
    with_email = Contact.objects.active().filter(tenant=OuterRef("pk")).exclude(email="")
    return survey_tenants(survey).filter(~Exists(with_email)).order_by("trading_name")


def survey_tenants(survey: Survey):
    """The tenants a survey asks: every current tenant of its centre."""
    return Tenant.objects.current().filter(centre_id=survey.centre_id)


def surveys_with_figures(surveys) -> list[Survey]:
    """Each survey with `answers`, `tenants` (asked), `scores_met`,
    `scores_total` and `satisfaction` (a percentage or None) set on it."""
    rows = list(surveys.select_related("centre").annotate(
        answers=Count("responses", distinct=True),
        scores_total=Count("responses__scores"),
        scores_met=Count("responses__scores", filter=Q(responses__scores__score__gte=SATISFIED_SCORE)),
    ))
    centre_ids = {s.centre_id for s in rows}
    tenants = dict(Tenant.objects.current().filter(centre_id__in=centre_ids).values_list("centre_id")
                   .annotate(n=Count("pk")).values_list("centre_id", "n"))
    for s in rows:
        s.tenants = tenants.get(s.centre_id, 0)
        s.satisfaction = rate(s.scores_met, s.scores_total)
    return rows


@dataclass
class SurveyResults:
    survey: Survey
    answers: int
    tenants: int
    invited: int  # contacts emailed
    unreached: list  # the shops with no contact email
    overall: Row
    dimensions: list[Row]
    tiers: list[Row]
    floors: list[Row]
    comments: list[SurveyResponse]

    @property
    def answer_rate(self):
        return rate(self.answers, self.tenants)


def _grouped(scores, field: str) -> dict:
    return {r[field]: (r["ok"], r["total"])
            for r in scores.values(field).annotate(total=Count("pk"), ok=Count("pk", filter=_GOOD))}


def survey_results(survey: Survey) -> SurveyResults:
    scores = SurveyScore.objects.filter(response__survey=survey).order_by()
    total = scores.aggregate(total=Count("pk"), ok=Count("pk", filter=_GOOD))
    by_dimension = _grouped(scores, "dimension")
    by_tier = _grouped(scores, "response__tier")
    by_floor = _grouped(scores, "response__floor")
    # Every dimension and tier is listed, answered or not, so that a gap shows.
    dimensions = [Row(value, label, *by_dimension.get(value, (0, 0))) for value, label in Dimension.choices]
    tiers = [Row(value, label, *by_tier.get(value, (0, 0))) for value, label in Tier.choices]
    floors = [Row(f, floor_label(f), *by_floor[f])
              for f in sorted(by_floor, key=lambda f: (f is None, f if f is not None else 0))]
    responses = survey.responses.all()
    return SurveyResults(
        survey=survey,
        answers=responses.count(),
        tenants=survey_tenants(survey).count(),
        invited=invited_count(survey),
        unreached=list(shops_without_email(survey)),
        overall=Row(None, "", total["ok"], total["total"]),
        dimensions=dimensions,
        tiers=tiers,
        floors=floors,
        comments=list(responses.exclude(comment="").select_related("tenant").order_by("submitted_at")),
    )
