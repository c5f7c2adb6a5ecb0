"""Holiday greetings for a year the holiday calendar (chinese-calendar) does
not know yet: the fixed-date holidays are still prepared, the moving ones are
not guessed, and the people who prepare greetings (and monitoring) are told
what to do — add them by hand, or update the package."""

import datetime as dt
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext, override

from portal.admin_home import work_items_for
from portal.broadcasts.calendar import (
    HolidayCalendarFigures,
    holiday_starts,
    holiday_year_known,
)
from portal.broadcasts.greetings import greeting_create, greetings_prepare_upcoming
from portal.models import AuditEvent, GreetingStatus, HolidayGreeting
from tests.base import ANONYMOUS, assert_access

pytestmark = pytest.mark.django_db

# The package in the lock file knows 2026, not 2027: this test file is about
# that gap (when a newer package knows 2027, pick a later year here).
UNKNOWN = 2027
AT_YEAR_END = pytest.mark.time_machine(dt.datetime(UNKNOWN - 1, 12, 28, 1, 0, tzinfo=dt.UTC), tick=False)
A_YEAR_EARLIER = pytest.mark.time_machine(dt.datetime(UNKNOWN - 2, 12, 28, 1, 0, tzinfo=dt.UTC), tick=False)
WORK_LABEL = "centres: the official holiday dates for %(years)s are not known yet, add their greetings by hand"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_year_is_unknown_to_the_locked_calendar():
    assert holiday_year_known(UNKNOWN - 1) and not holiday_year_known(UNKNOWN)


def test_in_an_unknown_year_only_the_fixed_date_holidays_are_found():
    assert holiday_starts(date(UNKNOWN, 1, 1), date(UNKNOWN, 12, 31)) == [
        (date(UNKNOWN, 1, 1), "New Year's Day"), (date(UNKNOWN, 5, 1), "Labour Day"), (date(UNKNOWN, 10, 1), "National Day"),
    ]
    # Across the turn of the year: the known year by the calendar, the new one by its fixed dates.
    assert holiday_starts(date(UNKNOWN - 1, 9, 28), date(UNKNOWN - 1, 10, 8)) == [(date(UNKNOWN - 1, 10, 1), "National Day")]


@AT_YEAR_END
def test_new_years_day_of_an_unknown_year_is_prepared_once(world):
    made = greetings_prepare_upcoming()
    assert {(g.centre, g.send_on, g.holiday) for g in made} == {
        (world.centre_a, date(UNKNOWN, 1, 1), "元旦"), (world.centre_b, date(UNKNOWN, 1, 1), "元旦"),
    }
    greeting = HolidayGreeting.objects.get(centre=world.centre_a)
    assert greeting.status == GreetingStatus.DRAFT and "元旦" in greeting.title and world.centre_a.hotline in greeting.message
    assert greetings_prepare_upcoming() == []  # a re-run adds nothing
    assert greetings_prepare_upcoming(today=date(UNKNOWN, 1, 25), days=20) == []  # 春节 is not guessed
    assert HolidayGreeting.objects.count() == 2


@AT_YEAR_END
def test_the_greetings_screen_warns_and_says_what_to_do(world):
    with override("zh-hans"):
        page = _client(world.ops_a).get(reverse("portal_greetings:index")).content.decode()
    assert 'data-testid="calendar-unknown"' in page
    assert f"{UNKNOWN}年的法定节假日安排尚未收录" in page and "春节" in page and "chinese-calendar" in page
    assert reverse("portal_greetings:new") in page  # the way to add one by hand
    # A leader approves greetings, adds none: warned on the screen, no button.
    page = _client(world.leader_a).get(reverse("portal_greetings:index")).content.decode()
    assert 'data-testid="calendar-unknown"' in page and reverse("portal_greetings:new") not in page


@AT_YEAR_END
def test_the_people_who_prepare_greetings_find_it_in_their_work(world):
    with override("zh-hans"):
        label = gettext(WORK_LABEL) % {"years": UNKNOWN}
        html = _client(world.ops_a).get("/admin/").content.decode()
    assert f"<strong class=\"w-text-critical-200\">1</strong> {label}" in html
    assert f'href="{reverse("portal_greetings:index")}"' in html
    assert [item.count for item in work_items_for(world.manager) if str(UNKNOWN) in str(item.label)] == [2]
    assert not [item for item in work_items_for(world.leader_a) if str(UNKNOWN) in str(item.label)]
    assert not [item for item in work_items_for(world.drafter_a) if str(UNKNOWN) in str(item.label)]


@AT_YEAR_END
def test_monitoring_reads_the_unknown_year(world):
    (family,) = HolidayCalendarFigures().collect()
    assert family.name == "atrium_holiday_calendar_unknown_years" and family.samples[0].value == 1


@A_YEAR_EARLIER
def test_with_a_year_the_calendar_knows_nothing_changes(world):
    made = greetings_prepare_upcoming()
    assert {(g.centre, g.send_on) for g in made} == {(world.centre_a, date(UNKNOWN - 1, 1, 1)),
                                                     (world.centre_b, date(UNKNOWN - 1, 1, 1))}
    assert greetings_prepare_upcoming() == []
    page = _client(world.ops_a).get(reverse("portal_greetings:index")).content.decode()
    assert 'data-testid="calendar-unknown"' not in page
    assert not [item for item in work_items_for(world.ops_a) if str(UNKNOWN - 1) in str(item.label)]
    (family,) = HolidayCalendarFigures().collect()
    assert family.samples[0].value == 0


@AT_YEAR_END
def test_staff_add_a_greeting_by_hand_for_any_day_to_come(world):
    url = reverse("portal_greetings:new")
    assert_access(url, allowed=[world.ops_a, world.editor_a, world.manager],
                  refused=[world.leader_a, world.drafter_a, world.signer_a, ANONYMOUS])
    form = {"centre": world.centre_a.pk, "holiday": "Spring Festival", "send_on": f"{UNKNOWN}-02-06",
            "title": "", "message": ""}
    response = _client(world.ops_a).post(url, form)
    greeting = HolidayGreeting.objects.get(centre=world.centre_a, send_on=date(UNKNOWN, 2, 6))
    assert response.status_code == 302 and response["Location"] == reverse("portal_greetings:detail", args=[greeting.pk])
    assert greeting.holiday == "春节" and "春节" in greeting.title and greeting.status == GreetingStatus.DRAFT
    assert greeting.edited_by == world.ops_a
    assert AuditEvent.objects.for_object(greeting).filter(action="greeting.created", actor=world.ops_a).exists()
    # A double submit adds nothing, and says why.
    again = _client(world.ops_a).post(url, form)
    assert again.status_code == 400 and HolidayGreeting.objects.count() == 1
    # Another centre's staff cannot add one for centre A; a day gone by is refused.
    assert _client(world.ops_b).post(url, form).status_code == 400
    past = _client(world.ops_a).post(url, {**form, "send_on": f"{UNKNOWN - 1}-12-01"})
    assert past.status_code == 400
    assert _client(world.ops_a).post(url, {**form, "send_on": "not a date"}).status_code == 400
    assert HolidayGreeting.objects.count() == 1


@AT_YEAR_END
def test_a_greeting_added_by_hand_is_not_prepared_again_near_its_day(world):
    # Added by hand while the calendar did not know the year; a later package
    # puts the holiday's first day a day earlier: no second greeting.
    greeting_create(actor=world.ops_a, centre=world.centre_a, holiday="Labour Day", send_on=date(UNKNOWN, 5, 2))
    made = greetings_prepare_upcoming(today=date(UNKNOWN, 4, 28))
    assert [(g.centre, g.send_on) for g in made] == [(world.centre_b, date(UNKNOWN, 5, 1))]
    with pytest.raises(ValueError):
        greeting_create(actor=world.ops_b, centre=world.centre_b, holiday="Labour Day", send_on=date(UNKNOWN, 5, 3))
