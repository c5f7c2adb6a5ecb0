"""The staff home page lists what is waiting for the signed-in person, from
every app, counted only over what they may see."""

import datetime as dt
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.translation import gettext, override

from tenants.models import ServiceRequest
from tenants.services.requests import request_assign
from tests.base import make_request

pytestmark = pytest.mark.django_db


def _home(user) -> str:
    client = Client()
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 200
    return response.content.decode()


def t(msgid: str) -> str:
    """The label as the (Chinese-first) staff member reads it."""
    with override("zh-hans"):
        return gettext(msgid)


def _items(html: str) -> dict[str, int]:
    found = re.findall(r'data-testid="work-item"><a href="[^"]*"><strong[^>]*>(\d+)</strong> ([^<]+)</a>', html)
    return {label.strip(): int(count) for count, label in found}


def test_requests_assigned_to_me_and_those_past_a_deadline_are_counted(world):
    with_deadline_past = make_request(world)
    request_assign(actor=world.ops_a, service_request=with_deadline_past, assignee=world.ops_a)
    ServiceRequest.objects.filter(pk=with_deadline_past.pk).update(response_due=timezone.now() - timedelta(hours=1))
    unassigned = make_request(world)
    assert unassigned.assignee_id is None

    items = _items(_home(world.ops_a))

    assert items[t("requests past a deadline, assigned to you")] == 1
    assert items[t("open requests assigned to you")] == 1
    assert items[t("new requests nobody has taken")] == 1


# A day in a year the holiday calendar knows: near the end of a year it does
# not know the next one, and operations staff are asked to add greetings by
# hand (tests/pages/test_greetings_unknown_year.py), which is work too.
@pytest.mark.time_machine(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False)
def test_the_counts_cover_only_the_centres_a_person_works_in(world):
    make_request(world)  # centre A
    html = _home(world.ops_b)
    assert t("new requests nobody has taken") not in html
    assert 'data-testid="my-work"' in html
    assert t("Nothing is waiting for you.") in html


def test_the_assigned_to_me_filter_lists_only_my_requests(world):
    mine, theirs = make_request(world, subject="我的报修"), make_request(world, subject="别人的报修")
    request_assign(actor=world.ops_a, service_request=mine, assignee=world.ops_a)
    request_assign(actor=world.ops_a, service_request=theirs, assignee=world.manager)
    client = Client()
    client.force_login(world.ops_a)
    html = client.get("/admin/snippets/tenants/servicerequest/", {"assigned_to_me": "true"}).content.decode()
    assert "我的报修" in html
    assert "别人的报修" not in html


def test_tenants_have_no_staff_home(world):
    client = Client()
    client.force_login(world.signer_a)
    assert client.get("/admin/").status_code in (302, 403)
