"""The request log's rules: deadlines, replies, closing, repeat complaints, rating."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from portal.models import AuditEvent
from tenants.models import DeadlinePolicy, RequestEntry, RequestStatus, ServiceRequest
from tenants.services.request_status import request_close, request_rate, request_reopen
from tenants.services.requests import (
    RequestError,
    request_assign,
    request_create,
    request_reply,
)
from tests.base import make_request, png_upload

pytestmark = pytest.mark.django_db


def test_deadlines_come_from_the_procedure_by_default(world):
    repair = make_request(world)
    assert repair.response_due - repair.created_at == timedelta(hours=24)
    assert repair.resolution_due is None and repair.answer_due is None
    complaint = make_request(world, category="complaint")
    assert complaint.resolution_due - complaint.created_at == timedelta(days=3)
    major = make_request(world, category="complaint", severity="major")
    assert major.answer_due - major.created_at == timedelta(hours=48)
    assert major.resolution_due is None


def test_a_centres_own_table_sets_the_deadlines(world):
    DeadlinePolicy.objects.create(centre=world.centre_a, response_hours=2, complaint_resolution_hours=24)
    complaint = make_request(world, category="complaint")
    assert complaint.response_due - complaint.created_at == timedelta(hours=2)
    assert complaint.resolution_due - complaint.created_at == timedelta(hours=24)


def test_a_request_gets_a_number_and_is_audited(world):
    sr = make_request(world)
    assert sr.number.startswith("TA-") and sr.number.endswith(f"{sr.pk:06d}")
    assert AuditEvent.objects.for_object(sr).filter(action="request.created").exists()
    assert sr.entries.get().kind == RequestEntry.Kind.CREATED


def test_a_request_with_no_tenant_is_refused_and_nothing_is_written(world):
    with pytest.raises(RequestError):
        request_create(actor=world.ops_a, tenant=None, category="repair", subject="x", description="x", channel="hotline")
    assert not ServiceRequest.objects.exists()


def test_bad_choices_are_refused(world):
    with pytest.raises(RequestError):
        make_request(world, category="gossip")
    with pytest.raises(RequestError):
        make_request(world, channel="pigeon")
    assert not ServiceRequest.objects.exists()


def test_staff_of_another_centre_cannot_record_a_request_for_a_tenant_here(world):
    with pytest.raises(PermissionDenied):
        make_request(world, actor=world.ops_b)


def test_a_tenant_raises_a_request_only_for_their_own_tenant(world):
    sr = request_create(actor=world.signer_a, tenant=world.tenant_a, category="repair", subject="漏水",
                        description="天花板漏水", channel="hotline", photos=[png_upload()])
    assert sr.channel == "portal" and sr.contact.user == world.signer_a
    assert sr.photos.count() == 1 and sr.photos.get().file.name.endswith(".png")
    with pytest.raises(PermissionDenied):
        request_create(actor=world.signer_a, tenant=world.tenant_b, category="repair", subject="x", description="x")


def test_a_photo_that_is_not_a_picture_is_refused_and_nothing_is_written(world):
    fake = SimpleUploadedFile("leak.jpg", b"MZ\x90\x00 this is an executable", content_type="image/jpeg")
    with pytest.raises(ValidationError):
        make_request(world, photos=[fake])
    assert not ServiceRequest.objects.exists()


def test_the_first_staff_reply_is_the_response_and_moves_it_in_progress(world):
    sr = make_request(world)
    request_reply(actor=world.ops_a, service_request=sr, body="已安排工程部", internal=True)
    sr.refresh_from_db()
    assert sr.responded_at is None  # an internal note is no answer to the tenant
    request_reply(actor=world.ops_a, service_request=sr, body="工程部下午两点到店")
    sr.refresh_from_db()
    assert sr.responded_at is not None and sr.status == RequestStatus.IN_PROGRESS


def test_a_tenant_reply_is_not_a_response_and_tenants_cannot_write_notes(world):
    sr = make_request(world)
    request_reply(actor=world.signer_a, service_request=sr, body="请尽快")
    sr.refresh_from_db()
    assert sr.responded_at is None and sr.status == RequestStatus.NEW
    with pytest.raises(PermissionDenied):
        request_reply(actor=world.signer_a, service_request=sr, body="x", internal=True)
    with pytest.raises(PermissionDenied):
        request_reply(actor=world.signer_b, service_request=sr, body="x")


def test_the_initial_answer_meets_a_major_complaints_deadline(world):
    sr = make_request(world, category="complaint", severity="major")
    request_reply(actor=world.ops_a, service_request=sr, body="初步处理意见：……", initial_answer=True)
    sr.refresh_from_db()
    assert sr.answered_at is not None
    assert [m["state"] for m in sr.milestones()] == ["met", "met"]


def test_assignment_is_limited_to_staff_of_the_centre(world):
    sr = make_request(world)
    request_assign(actor=world.ops_a, service_request=sr, assignee=world.drafter_a, department="engineering")
    sr.refresh_from_db()
    assert sr.assignee == world.drafter_a
    with pytest.raises(RequestError):
        request_assign(actor=world.ops_a, service_request=sr, assignee=world.ops_b)
    with pytest.raises(PermissionDenied):
        request_assign(actor=world.drafter_a, service_request=sr, assignee=world.drafter_a)


def test_the_assignee_may_reply_and_close(world):
    sr = make_request(world, assignee=world.drafter_a)
    request_reply(actor=world.drafter_a, service_request=sr, body="已到现场")
    request_close(actor=world.drafter_a, service_request=sr, resolution="已修复")
    sr.refresh_from_db()
    assert sr.status == RequestStatus.CLOSED


def test_closing_twice_and_replying_to_a_closed_request_are_refused(world):
    sr = make_request(world)
    request_close(actor=world.ops_a, service_request=sr, resolution="已处理")
    sr.refresh_from_db()
    assert sr.closed_at and sr.responded_at
    with pytest.raises(RequestError):
        request_close(actor=world.ops_a, service_request=sr, resolution="again")
    with pytest.raises(RequestError):
        request_reply(actor=world.signer_a, service_request=sr, body="x")


def test_rating_an_open_request_is_refused_and_changes_nothing(world):
    sr = make_request(world)
    with pytest.raises(RequestError):
        request_rate(actor=world.signer_a, service_request=sr, rating=5)
    sr.refresh_from_db()
    assert sr.rating is None and not AuditEvent.objects.filter(action="request.rated").exists()


def test_the_tenant_rates_once_from_1_to_5(world):
    sr = make_request(world)
    request_close(actor=world.ops_a, service_request=sr, resolution="已处理")
    for bad in (0, 6, "x"):
        with pytest.raises(RequestError):
            request_rate(actor=world.signer_a, service_request=sr, rating=bad)
    with pytest.raises(PermissionDenied):
        request_rate(actor=world.ops_a, service_request=sr, rating=5)
    with pytest.raises(PermissionDenied):
        request_rate(actor=world.signer_a2, service_request=sr, rating=5)
    request_rate(actor=world.signer_a, service_request=sr, rating=4, comment="及时")
    sr.refresh_from_db()
    assert (sr.rating, sr.rating_comment) == (4, "及时")
    with pytest.raises(RequestError):
        request_rate(actor=world.signer_a, service_request=sr, rating=5)


def test_a_reopened_complaint_is_a_repeat_complaint_with_a_new_deadline(world):
    sr = make_request(world, category="complaint")
    request_close(actor=world.ops_a, service_request=sr, resolution="已处理")
    request_rate(actor=world.signer_a, service_request=sr, rating=2)
    before = timezone.now()
    request_reopen(actor=world.signer_a, service_request=sr, reason="问题再次出现")
    sr.refresh_from_db()
    assert sr.is_repeat_complaint and sr.reopen_count == 1 and sr.status == RequestStatus.IN_PROGRESS
    assert sr.rating is None and sr.resolution_due >= before + timedelta(days=3)
    with pytest.raises(RequestError):
        request_reopen(actor=world.signer_a, service_request=sr, reason="again")


def test_a_reopened_repair_is_not_a_repeat_complaint(world):
    sr = make_request(world)
    request_close(actor=world.ops_a, service_request=sr, resolution="已处理")
    request_reopen(actor=world.ops_a, service_request=sr, reason="复发")
    sr.refresh_from_db()
    assert not sr.is_repeat_complaint and sr.reopen_count == 1


def test_another_tenant_cannot_reopen(world):
    sr = make_request(world)
    request_close(actor=world.ops_a, service_request=sr, resolution="已处理")
    with pytest.raises(PermissionDenied):
        request_reopen(actor=world.signer_a2, service_request=sr, reason="x")


def test_a_call_is_logged_with_its_recording_or_not_at_all(world):
    """A recording that cannot be stored undoes the request it came with."""
    from tenants.services.recordings import RecordingError, request_log_call

    before = ServiceRequest.objects.count()
    not_audio = SimpleUploadedFile("call.mp3", b"MZ\x90\x00 not audio at all", content_type="audio/mpeg")
    with pytest.raises((RecordingError, ValidationError)):
        request_log_call(actor=world.ops_a, tenant=world.tenant_a, channel="hotline", category="repair",
                         subject="漏水", description="天花板漏水", recording=not_audio)
    assert ServiceRequest.objects.count() == before
