"""Survey invitations and visit reminders go once (issue 13): written and
claimed before they are sent; a rerun takes over only what a dead worker
held for longer than ATRIUM_NOTIFY_CLAIM_MINUTES and never resends what the
mail server had accepted."""

from collections import Counter
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from portal.models import OutboxEntry
from tests.notices.notify_backends import WorkerDied
from visits.models import ReminderSent
from visits.services.notify import survey_invitations
from visits.services.plans import plan_sync
from visits.services.reminders import weekly_visit_reminders
from visits.services.surveys import survey_create, survey_set_status

pytestmark = pytest.mark.django_db


def _age_claims(settings):
    ReminderSent.objects.update(
        notify_claimed_at=timezone.now() - timedelta(minutes=settings.ATRIUM_NOTIFY_CLAIM_MINUTES + 1))


def test_survey_invitations_a_worker_died_in_the_middle_of_go_once_each(world, settings,
                                                                        django_capture_on_commit_callbacks):
    today = timezone.localdate()
    survey = survey_create(actor=world.ops_a, centre=world.centre_a, title="年度满意度调查", opens_on=today,
                           closes_on=today + timedelta(days=14))
    with django_capture_on_commit_callbacks():  # the invitation task is not run here
        survey_set_status(actor=world.ops_a, survey=survey, status="open")
    settings.EMAIL_BACKEND = "tests.notices.notify_backends.DiesAfterAcceptBackend"
    with pytest.raises(WorkerDied):
        survey_invitations(survey_id=survey.pk)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert len(mail.outbox) == 1
    # The rerun mails the other addresses; the dead worker's is still claimed.
    assert survey_invitations(survey_id=survey.pk) == 2
    OutboxEntry.objects.update(
        notify_claimed_at=timezone.now() - timedelta(minutes=settings.ATRIUM_NOTIFY_CLAIM_MINUTES + 1))
    survey_invitations(survey_id=survey.pk)  # finishes it: handed over, so not sent again
    assert survey_invitations(survey_id=survey.pk) == 0
    assert len(mail.outbox) == 3 and set(Counter(m.to[0] for m in mail.outbox).values()) == {1}


def test_a_weekly_reminder_claimed_by_a_worker_that_died_goes_once_after_the_threshold(world, settings):
    plan_sync(centre=world.centre_a, year=timezone.localdate().year)
    today = timezone.localdate()
    iso = today.isocalendar()
    ReminderSent.objects.create(kind="weekly", key=f"{iso.year}-W{iso.week:02d}", user=world.ops_a,
                                notify_claimed_at=timezone.now(), notify_claim="dead-worker")
    assert weekly_visit_reminders(today=today) == 0 and mail.outbox == []
    _age_claims(settings)
    assert weekly_visit_reminders(today=today) == 1
    assert weekly_visit_reminders(today=today) == 0
    assert [m.to for m in mail.outbox] == [["ops@a.test"]]
