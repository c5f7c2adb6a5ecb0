"""The request's admin page: its handlers correct the category and severity
with a form like the page's other actions, and the reply form offers "initial
answer" only on a major complaint still waiting for one."""

import pytest
from django.urls import reverse

from portal.models import AuditEvent
from tenants.models import RequestEntry
from tests.base import ANONYMOUS, assert_access, make_request

pytestmark = pytest.mark.django_db

CHECKBOX = 'name="initial_answer"'


def _url(view, *args):
    return reverse(f"wagtailsnippets_tenants_servicerequest:{view}", args=args)


def test_staff_correct_an_enquiry_to_a_major_complaint_from_the_request_page(client, world):
    sr = make_request(world, category="enquiry")
    client.force_login(world.ops_a)
    page = client.get(_url("inspect", sr.pk)).content.decode()
    assert 'data-testid="reclassify-form"' in page and _url("act", sr.pk, "reclassify") in page
    assert CHECKBOX not in page  # an enquiry has no initial answer
    form = {"category": "complaint", "severity": "major", "reason": "租户反映商场食品安全问题，属重大投诉"}
    response = client.post(_url("act", sr.pk, "reclassify"), form)
    assert response.status_code == 302 and response["Location"] == _url("inspect", sr.pk)
    # Sent twice (a double click, a second tab): nothing is repeated.
    client.post(_url("act", sr.pk, "reclassify"), form)
    sr.refresh_from_db()
    assert (sr.category, sr.severity) == ("complaint", "major") and sr.answer_due is not None
    assert sr.entries.filter(kind=RequestEntry.Kind.RECLASSIFIED).count() == 1
    assert AuditEvent.objects.for_object(sr).filter(action="request.reclassified").count() == 1
    page = client.get(_url("inspect", sr.pk)).content.decode()
    assert "重大投诉" in page and 'data-testid="milestone-answer"' in page
    assert CHECKBOX in page  # now a major complaint awaiting its initial answer
    # The tenant sees the correction on their own page.
    client.force_login(world.signer_a)
    mine = client.get(reverse("tenants:my_request", args=[sr.pk])).content.decode()
    assert "租户反映商场食品安全问题" in mine and "投诉" in mine


def test_an_empty_reason_changes_nothing(client, world):
    sr = make_request(world, category="enquiry")
    client.force_login(world.ops_a)
    response = client.post(_url("act", sr.pk, "reclassify"), {"category": "complaint", "severity": "ordinary",
                                                              "reason": ""})
    assert response.status_code == 302
    sr.refresh_from_db()
    assert sr.category == "enquiry"


def test_the_form_is_only_for_the_centres_handlers_and_refused_to_others(client, world):
    sr = make_request(world, category="enquiry", assignee=world.drafter_a)
    for reader in (world.leader_a, world.drafter_a):  # reads the log / the non-handler assignee
        client.force_login(reader)
        page = client.get(_url("inspect", sr.pk)).content.decode()
        assert 'data-testid="reclassify-form"' not in page
    assert_access(_url("act", sr.pk, "reclassify"), method="post",
                  data={"category": "complaint", "severity": "major", "reason": "x"},
                  refused=[world.ops_b, world.signer_a, world.leader_a, world.drafter_a, ANONYMOUS])
    sr.refresh_from_db()
    assert sr.category == "enquiry" and sr.entries.count() == 1


def test_a_closed_request_offers_no_correction(client, world):
    sr = make_request(world, category="complaint")
    client.force_login(world.ops_a)
    client.post(_url("act", sr.pk, "close"), {"resolution": "已处理"})
    assert 'data-testid="reclassify-form"' not in client.get(_url("inspect", sr.pk)).content.decode()
    client.post(_url("act", sr.pk, "reclassify"), {"category": "enquiry", "severity": "ordinary", "reason": "x"})
    sr.refresh_from_db()
    assert sr.category == "complaint"


def test_the_initial_answer_box_is_only_on_a_major_complaint_awaiting_it(client, world):
    ordinary = make_request(world, category="complaint")
    major = make_request(world, category="complaint", severity="major")
    client.force_login(world.ops_a)
    assert CHECKBOX not in client.get(_url("inspect", ordinary.pk)).content.decode()
    assert CHECKBOX in client.get(_url("inspect", major.pk)).content.decode()
    # Ticked on an ordinary complaint (an old page): a plain reply, no error.
    client.post(_url("act", ordinary.pk, "reply"), {"body": "收到", "initial_answer": "on"})
    ordinary.refresh_from_db()
    assert ordinary.responded_at is not None and ordinary.answered_at is None
    client.post(_url("act", major.pk, "reply"), {"body": "初步处理意见", "initial_answer": "on"})
    major.refresh_from_db()
    assert major.answered_at is not None
    assert CHECKBOX not in client.get(_url("inspect", major.pk)).content.decode()  # given: nothing left to tick
