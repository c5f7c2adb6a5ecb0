"""Staff correct a request's category and severity (request_reclassify): the
deadlines follow from the same computation as at creation, counted from when
the request was received, what was met stays met, and the sweep escalates a
late deadline once however often the class moves."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from portal.models import AuditEvent
from tenants.models import DeadlineAlert, RequestEntry, ServiceRequest
from tenants.selectors.figures import request_figures
from tenants.selectors.requests import request_timeline_for
from tenants.services.deadlines import request_deadlines_sweep
from tenants.services.request_status import request_close, request_reopen
from tenants.services.requests import RequestError, request_reclassify, request_reply
from tests.base import make_request

pytestmark = pytest.mark.django_db


def _reclassify(world, sr, category, severity="ordinary", reason="租户所述实为投诉", actor=None):
    return request_reclassify(actor=actor or world.ops_a, service_request=sr, category=category, severity=severity,
                              reason=reason)


def _received(world, hours_ago, **kwargs):
    return make_request(world, received_at=timezone.now() - timedelta(hours=hours_ago), **kwargs)


def test_an_enquiry_corrected_to_a_complaint_gets_the_complaint_deadline(world):
    sr = _received(world, 10, category="enquiry", subject="为什么收费", description="物业费为何上涨？")
    entry = _reclassify(world, sr, "complaint")
    sr.refresh_from_db()
    assert (sr.category, sr.severity) == ("complaint", "ordinary")
    assert sr.resolution_due == sr.created_at + timedelta(days=3) and sr.answer_due is None
    assert sr.response_due == sr.created_at + timedelta(hours=24)  # the class does not move it
    assert sr.description == "物业费为何上涨？" and sr.subject == "为什么收费"  # the tenant's words stay
    # On the tenant's timeline too: their deadlines changed with it.
    assert entry.kind == RequestEntry.Kind.RECLASSIFIED and entry.public and entry.actor == world.ops_a
    assert "咨询 → 一般投诉" in entry.body and "租户所述实为投诉" in entry.body
    assert entry in request_timeline_for(sr, staff=False)
    event = AuditEvent.objects.for_object(sr).get(action="request.reclassified")
    assert event.actor == world.ops_a and event.details["from"]["category"] == "enquiry"
    assert event.details["to"]["category"] == "complaint"
    assert event.details["to"]["resolution_due"] == sr.resolution_due.isoformat()
    assert request_figures(centres=[world.centre_a.pk], group_by=("centre",))[0]["complaints"] == 1


def test_a_complaint_corrected_to_an_enquiry_loses_the_complaint_deadline(world):
    sr = _received(world, 80, category="complaint")
    request_reply(actor=world.ops_a, service_request=sr, body="收到")
    assert sr.is_overdue()  # 3 days passed
    _reclassify(world, sr, "enquiry", severity="major", reason="只是咨询")
    sr.refresh_from_db()
    # Severity is a complaint's alone: "major" on an enquiry is ordinary.
    assert (sr.category, sr.severity) == ("enquiry", "ordinary")
    assert sr.resolution_due is None and sr.answer_due is None and not sr.is_overdue()
    assert request_deadlines_sweep(now=timezone.now()) == {"warnings": 0, "escalations": 0}


def test_ordinary_to_major_late_shows_overdue_and_is_escalated_once(world):
    sr = _received(world, 60, category="complaint")
    request_reply(actor=world.ops_a, service_request=sr, body="收到，正在核实")  # the first response, not the answer
    _reclassify(world, sr, "complaint", "major", reason="涉及食品安全，升为重大投诉")
    sr.refresh_from_db()
    assert sr.answer_due == sr.created_at + timedelta(hours=48) and sr.resolution_due is None
    assert sr.answered_at is None and sr.is_overdue()
    assert [m["state"] for m in sr.milestones() if m["milestone"] == "answer"] == ["overdue"]
    assert request_deadlines_sweep() == {"warnings": 0, "escalations": 1}
    sr.refresh_from_db()
    escalated = sr.escalated_at
    assert escalated is not None
    # Down and up again: the same due time, so no second escalation.
    _reclassify(world, sr, "complaint", "ordinary", reason="误升级")
    _reclassify(world, sr, "complaint", "major", reason="确认重大")
    assert request_deadlines_sweep() == {"warnings": 0, "escalations": 0}
    assert DeadlineAlert.objects.filter(request=sr, milestone="answer", kind="escalation").count() == 1
    sr.refresh_from_db()
    assert sr.escalated_at == escalated
    assert sr.entries.filter(kind=RequestEntry.Kind.ESCALATED).count() == 1
    assert request_figures(centres=[world.centre_a.pk], group_by=("centre",))[0]["answer_missed"] == 1


def test_major_to_ordinary_keeps_an_initial_answer_already_given(world):
    sr = _received(world, 5, category="complaint", severity="major")
    request_reply(actor=world.ops_a, service_request=sr, body="初步处理意见：……", initial_answer=True)
    sr.refresh_from_db()
    answered = sr.answered_at
    _reclassify(world, sr, "complaint", "ordinary", reason="影响有限")
    sr.refresh_from_db()
    assert sr.answer_due is None and sr.resolution_due == sr.created_at + timedelta(days=3)
    assert sr.answered_at == answered
    _reclassify(world, sr, "complaint", "major", reason="再次确认为重大")
    sr.refresh_from_db()
    assert sr.answer_due == sr.created_at + timedelta(hours=48)
    assert [m["state"] for m in sr.milestones() if m["milestone"] == "answer"] == ["met"]
    assert not sr.awaits_initial_answer


def test_the_same_class_again_repeats_nothing(world):
    sr = make_request(world, category="enquiry")
    assert _reclassify(world, sr, "complaint") is not None
    assert _reclassify(world, sr, "complaint") is None  # a double submit, a second device
    assert _reclassify(world, sr, "complaint", severity="ordinary") is None
    assert sr.entries.filter(kind=RequestEntry.Kind.RECLASSIFIED).count() == 1
    assert AuditEvent.objects.for_object(sr).filter(action="request.reclassified").count() == 1


def test_a_closed_request_is_not_reclassified(world):
    sr = make_request(world, category="complaint")
    request_close(actor=world.ops_a, service_request=sr, resolution="已处理")
    with pytest.raises(RequestError):
        _reclassify(world, sr, "enquiry")
    sr.refresh_from_db()
    assert sr.category == "complaint" and sr.resolution_due is not None


@pytest.mark.parametrize(("category", "severity", "reason"), [("complaint", "major", " "), ("x", "ordinary", "r"),
                                                               ("complaint", "huge", "r")])
def test_a_reason_and_valid_values_are_required(world, category, severity, reason):
    sr = make_request(world)
    with pytest.raises(RequestError):
        _reclassify(world, sr, category, severity, reason=reason)
    sr.refresh_from_db()
    assert sr.category == "repair" and sr.entries.count() == 1


def test_a_repeat_complaint_follows_the_category(world):
    sr = _received(world, 100, category="complaint")
    request_close(actor=world.ops_a, service_request=sr, resolution="已处理")
    request_reopen(actor=world.signer_a, service_request=sr, reason="问题依旧")
    sr.refresh_from_db()
    reopened = sr.entries.get(from_status="closed").at
    assert sr.is_repeat_complaint and sr.resolution_due == reopened + timedelta(days=3)
    _reclassify(world, sr, "enquiry", reason="实为咨询")
    sr.refresh_from_db()
    assert not sr.is_repeat_complaint  # only a complaint is a repeat one (a database constraint)
    _reclassify(world, sr, "complaint", "major", reason="重大投诉")
    sr.refresh_from_db()
    # Counted again, and its deadline runs from the reopening, as reopen set it.
    assert sr.is_repeat_complaint and sr.answer_due == reopened + timedelta(hours=48)
    assert request_figures(centres=[world.centre_a.pk], group_by=("centre",))[0]["repeat_complaints"] == 1


def test_a_reopened_enquiry_corrected_to_a_complaint_is_a_repeat_complaint(world):
    sr = make_request(world, category="enquiry")
    request_close(actor=world.ops_a, service_request=sr, resolution="已答复")
    request_reopen(actor=world.signer_a, service_request=sr, reason="答复没解决问题")
    _reclassify(world, sr, "complaint")
    sr.refresh_from_db()
    assert sr.is_repeat_complaint


def test_only_the_centres_request_handlers_reclassify(world):
    sr = make_request(world, category="enquiry", assignee=world.drafter_a)
    # Another centre's staff, the tenant, readers of the log who do not
    # handle requests, and the assignee who is no handler (the class sets
    # the deadlines they are held to).
    for person in (world.ops_b, world.signer_a, world.leader_a, world.drafter_a, world.editor_a):
        with pytest.raises(PermissionDenied):
            _reclassify(world, sr, "complaint", actor=person)
    sr.refresh_from_db()
    assert sr.category == "enquiry" and not sr.entries.filter(kind=RequestEntry.Kind.RECLASSIFIED).exists()
    # The operator's manager handles every centre's requests (REQUEST_HANDLE_ROLES).
    assert _reclassify(world, sr, "complaint", actor=world.manager) is not None
    assert ServiceRequest.objects.get(pk=sr.pk).category == "complaint"
