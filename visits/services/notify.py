"""Survey invitations to the contacts of the centre's tenants."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone, translation

from portal.outbox import Outgoing, claim, send_claimed
from tenants.models import Contact

from ..models import ReminderSent, Survey, SurveyStatus


def survey_invitations(*, survey_id: int) -> int:
    """Invite each contact's account once per survey: the invitation rows are
    written first, then claimed and sent one by one (portal.outbox), so a
    redelivered task or a second worker invites nobody twice."""
    survey = Survey.objects.select_related("centre").filter(pk=survey_id, status=SurveyStatus.OPEN).first()
    if survey is None:
        return 0
    contacts = Contact.objects.active().filter(tenant__centre=survey.centre).exclude(email="").exclude(user=None)
    by_user = {}
    for c in contacts.order_by("pk"):
        by_user.setdefault(c.user_id, c)
    key = str(survey.pk)
    ReminderSent.objects.bulk_create([ReminderSent(kind="survey", key=key, user_id=pk) for pk in by_user],
                                     ignore_conflicts=True)
    token, pks = claim(ReminderSent.objects.filter(kind="survey", key=key, notified_at__isnull=True))
    link = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + f"/visits/surveys/{survey.pk}/"
    items = []
    with translation.override(settings.LANGUAGE_CODE):
        for row in ReminderSent.objects.filter(pk__in=pks).order_by("pk"):
            c = by_user.get(row.user_id)
            ctx = {"survey": survey, "contact": c, "link": link}
            items.append(Outgoing(row, [EmailMessage(
                render_to_string("visits/email/survey_subject.txt", ctx).strip(),
                render_to_string("visits/email/survey.txt", ctx), None, [c.email])] if c else []))
    return send_claimed(ReminderSent, token, items, done=lambda: {"notified_at": timezone.now()})
