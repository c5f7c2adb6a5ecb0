"""Survey invitations to the contacts of the centre's tenants."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mass_mail
from django.template.loader import render_to_string
from django.utils import translation

from tenants.models import Contact

from ..models import ReminderSent, Survey, SurveyStatus


def survey_invitations(*, survey_id: int) -> int:
    survey = Survey.objects.select_related("centre").filter(pk=survey_id, status=SurveyStatus.OPEN).first()
    if survey is None:
        return 0
    contacts = Contact.objects.active().filter(tenant__centre=survey.centre).exclude(email="").exclude(user=None)
    already = set(ReminderSent.objects.filter(kind="survey", key=str(survey.pk)).values_list("user_id", flat=True))
    messages, rows = [], []
    link = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + f"/visits/surveys/{survey.pk}/"
    with translation.override(settings.LANGUAGE_CODE):
        for c in contacts:
            if c.user_id in already:
                continue
            already.add(c.user_id)
            ctx = {"survey": survey, "contact": c, "link": link}
            messages.append((render_to_string("visits/email/survey_subject.txt", ctx).strip(),
                             render_to_string("visits/email/survey.txt", ctx), None, [c.email]))
            rows.append(ReminderSent(kind="survey", key=str(survey.pk), user_id=c.user_id))
    ReminderSent.objects.bulk_create(rows, ignore_conflicts=True)
    send_mass_mail(messages, fail_silently=False)
    return len(messages)
