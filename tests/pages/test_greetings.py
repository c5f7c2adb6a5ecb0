"""Holiday greetings: prepared ahead from chinese-calendar, approved, sent on the day."""

from datetime import date
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from portal.broadcasts.calendar import holiday_starts
from portal.broadcasts.greetings import (
    greeting_decide,
    greeting_edit,
    greetings_prepare_upcoming,
)
from portal.broadcasts.tasks import greetings_send_due
from portal.models import GreetingStatus, HolidayGreeting
from tests.base import logged_in


def test_national_day_is_found_once_from_the_calendar():
    assert holiday_starts(date(2026, 9, 28), date(2026, 10, 8)) == [(date(2026, 10, 1), "National Day")]


def test_greetings_are_prepared_a_few_days_ahead_for_every_centre(world):
    made = greetings_prepare_upcoming(today=date(2026, 9, 27))
    assert {g.centre for g in made} == {world.centre_a, world.centre_b}
    greeting = HolidayGreeting.objects.get(centre=world.centre_a)
    assert greeting.status == GreetingStatus.DRAFT and greeting.send_on == date(2026, 10, 1)
    assert "国庆" in greeting.title and world.centre_a.hotline in greeting.message
    assert greetings_prepare_upcoming(today=date(2026, 9, 28)) == []  # idempotent
    assert greetings_prepare_upcoming(today=date(2026, 9, 1)) == []  # too early


def test_edited_text_needs_approval_and_is_sent_on_the_day(world, django_capture_on_commit_callbacks):
    greetings_prepare_upcoming(today=date(2026, 9, 27))
    greeting = HolidayGreeting.objects.get(centre=world.centre_a)
    greeting_edit(actor=world.ops_a, greeting=greeting, title="国庆快乐", message="祝各位商户国庆快乐！")
    with pytest.raises(PermissionDenied):
        greeting_decide(actor=world.ops_a, greeting=greeting, approve=True)  # operations edit, do not approve
    with pytest.raises(PermissionDenied):
        greeting_edit(actor=world.ops_b, greeting=greeting, title="x", message="y")
    with mock.patch("django.utils.timezone.localdate", return_value=date(2026, 9, 28)):
        greeting_decide(actor=world.leader_a, greeting=greeting, approve=True)
        assert greetings_send_due() == 0  # not yet the day
    mail.outbox.clear()
    with mock.patch("django.utils.timezone.localdate", return_value=date(2026, 10, 1)):
        assert greetings_send_due() == 1
        assert greetings_send_due() == 0  # sent once
    greeting.refresh_from_db()
    assert greeting.status == GreetingStatus.SENT and greeting.recipients == 3
    assert {m.to[0] for m in mail.outbox} == {"signer@a-shop.test", "clerk@a-shop.test", "signer@a2-shop.test"}
    assert all(m.subject == "国庆快乐" for m in mail.outbox)
    # The unapproved greeting of centre B was not sent.
    assert HolidayGreeting.objects.get(centre=world.centre_b).status == GreetingStatus.DRAFT


def test_who_wrote_a_greetings_text_does_not_approve_it(world):
    """Found in review: a manager edited a greeting and approved it at once."""
    greetings_prepare_upcoming(today=date(2026, 9, 27))
    greeting = HolidayGreeting.objects.get(centre=world.centre_a)
    greeting_edit(actor=world.manager, greeting=greeting, title="国庆快乐", message="祝各位商户国庆快乐！")
    with pytest.raises(ValueError, match="另一|其他审批人"):
        greeting_decide(actor=world.manager, greeting=greeting, approve=True)
    page = logged_in(world.manager).get(reverse("portal_greetings:detail", args=[greeting.pk])).content.decode()
    assert 'name="approve"' not in page and 'name="cancel"' in page  # may still decide not to send it
    greeting_decide(actor=world.leader_a, greeting=greeting, approve=True)
    greeting.refresh_from_db()
    assert greeting.status == GreetingStatus.APPROVED and greeting.approved_by == world.leader_a
