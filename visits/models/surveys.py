"""Satisfaction surveys after ACSI (seed 001): questions grouped by the five
dimensions, answered on a 1–5 scale, one answer per tenant per survey."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.models.base import CreatedByStaff
from tenants.models import Centre, Contact, Tenant, Tier


class Dimension(models.TextChoices):
    QUALITY = "quality", _("Perceived quality")
    VALUE = "value", _("Perceived value")
    EXPECTATIONS = "expectations", _("Expectations")
    COMPLAINTS = "complaints", _("Complaints")
    LOYALTY = "loyalty", _("Loyalty")


# A score of 4 or 5 counts as satisfied.
SATISFIED_SCORE = 4


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", pgettext_lazy("survey status", "Closed")


class Survey(CreatedByStaff):
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="surveys", verbose_name=_("centre"))
    title = models.CharField(_("title"), max_length=200)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    status = models.CharField(_("status"), max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT)

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        ordering = ["-opens_on"]
        constraints = [models.CheckConstraint(condition=Q(closes_on__gte=models.F("opens_on")), name="survey_closes_after_open")]

    def __str__(self):
        return self.title


class SurveyQuestion(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    dimension = models.CharField(_("dimension"), max_length=20, choices=Dimension.choices)
    text = models.CharField(_("question"), max_length=300)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")
        ordering = ["survey", "order", "id"]

    def __str__(self):
        return self.text


class SurveyResponse(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="survey_responses")
    contact = models.ForeignKey(Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    # Snapshots: the result by tier and floor is the tenant's at answering time.
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices)
    floor = models.SmallIntegerField(_("floor"), null=True, blank=True)
    comment = models.TextField(pgettext_lazy("survey", "comments"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"))

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [models.UniqueConstraint(fields=["survey", "tenant"], name="survey_one_answer_per_tenant")]

    def __str__(self):
        return f"{self.survey_id} {self.tenant}"


class SurveyScore(models.Model):
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="scores")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="scores")
    dimension = models.CharField(max_length=20, choices=Dimension.choices)
    score = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])

    class Meta:
        verbose_name = _("survey score")
        verbose_name_plural = _("survey scores")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="survey_score_once_per_question"),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="survey_score_1_to_5"),
        ]

    def __str__(self):
        return f"{self.question_id}={self.score}"
