"""Tenant meetings: invitation drafted as a meeting notice, attendance by the
door code (wrong, expired or second scans refused) or by staff, minutes
published to the tenants of the centre only, suggestions in the request log."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from notices.models import Letter, LetterKind
from tenants.models import Channel, RequestCategory
from tests.base import ANONYMOUS, assert_access, logged_in, pdf_upload
from visits.models import MeetingAttendance
from visits.services.meetings import (
    meeting_checkin,
    meeting_door_token,
    meeting_register,
    meeting_save_minutes,
    meeting_schedule,
    meeting_suggestion_add,
)
from visits.services.records import VisitError

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(world):
    now = timezone.now()
    return meeting_schedule(actor=world.ops_a, centre=world.centre_a, kind="quarterly", title="四季度租户大会",
                            starts_at=now - timedelta(minutes=10), ends_at=now + timedelta(hours=2),
                            location="5楼会议室", agenda="年终促销\n消防检查")


def test_the_invitation_is_drafted_as_a_meeting_notice(world, meeting):
    letter = Letter.objects.get(pk=meeting.notice_letter_id)
    assert letter.kind == LetterKind.MEETING and letter.centre == world.centre_a and not letter.live
    assert "5楼会议室" in letter.body and "<li>年终促销</li>" in letter.body and letter.drafter == world.ops_a


def test_the_drafted_invitation_is_audited_and_has_its_first_revision(world, meeting):
    from portal.models import AuditEvent

    letter = Letter.objects.get(pk=meeting.notice_letter_id)
    event = AuditEvent.objects.for_object(letter).get(action="letter.drafted")
    assert event.actor == world.ops_a and event.details["origin"] == "meeting.invitation"
    assert event.details["meeting"] == meeting.pk
    assert letter.latest_revision is not None and letter.latest_revision.user == world.ops_a


def test_a_signatory_registers_at_the_door_once(world, meeting):
    token = meeting_door_token(meeting)
    c = logged_in(world.signer_a)
    assert c.get(reverse("visits:door", args=[token])).status_code == 200
    response = c.post(reverse("visits:door", args=[token]))
    assert 'data-testid="door-done"' in response.content.decode()
    again = logged_in(world.nonsigner_a).post(reverse("visits:door", args=[token]))  # same shop, second device
    assert again.status_code == 400
    assert MeetingAttendance.objects.filter(meeting=meeting, tenant=world.tenant_a, method="qr").count() == 1


def test_a_wrong_expired_or_foreign_door_code_is_refused(world, meeting):
    with pytest.raises(VisitError):
        meeting_checkin(actor=world.signer_a, token="garbage")
    token = meeting_door_token(meeting)
    assert logged_in(world.signer_b).post(reverse("visits:door", args=[token])).status_code == 403  # other centre
    type(meeting).objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(days=3),
                                                       ends_at=timezone.now() - timedelta(days=3) + timedelta(hours=2))
    response = logged_in(world.signer_a).post(reverse("visits:door", args=[token]))
    assert response.status_code == 400 and not MeetingAttendance.objects.exists()
    assert_access(reverse("visits:door", args=[token]), refused=[ANONYMOUS])


def test_staff_register_attendance_and_suggestions(world, meeting):
    meeting_register(actor=world.ops_a, meeting=meeting, tenant=world.tenant_a2, attendee_name="张经理")
    with pytest.raises(VisitError):
        meeting_register(actor=world.ops_a, meeting=meeting, tenant=world.tenant_b, attendee_name="x")
    s = meeting_suggestion_add(actor=world.ops_a, meeting=meeting, tenant=world.tenant_a2, subject="希望增加促销活动")
    assert (s.request.channel, s.request.category) == (Channel.MEETING, RequestCategory.SUGGESTION)


def test_minutes_are_published_to_the_centres_tenants_only(world, meeting):
    meeting_save_minutes(actor=world.ops_a, meeting=meeting, minutes="会议决定：十二月开展促销。", upload=pdf_upload())
    url, file_url = reverse("visits:my_meeting", args=[meeting.pk]), reverse("visits:minutes_file", args=[meeting.pk])
    # Under way: its tenants see the meeting, not the draft minutes.
    assert "十二月开展促销" not in logged_in(world.signer_a).get(url).content.decode()
    assert_access(file_url, allowed=[world.ops_a], refused=[world.signer_a, world.signer_b, ANONYMOUS])
    type(meeting).objects.filter(pk=meeting.pk).update(ends_at=timezone.now() - timedelta(minutes=1))
    meeting_save_minutes(actor=world.ops_a, meeting=meeting, minutes="会议决定：十二月开展促销。", publish=True)
    assert_access(url, allowed=[world.signer_a, world.nonsigner_a, world.signer_a2], refused=[world.signer_b, ANONYMOUS])
    assert_access(file_url, allowed=[world.signer_a, world.ops_a], refused=[world.signer_b, world.ops_b, ANONYMOUS])
    assert "十二月开展促销" in logged_in(world.signer_a).get(url).content.decode()


def test_minutes_of_a_meeting_still_under_way_are_not_published(world, meeting):
    with pytest.raises(VisitError):
        meeting_save_minutes(actor=world.ops_a, meeting=meeting, minutes="会议决定：十二月开展促销。", publish=True)
    meeting.refresh_from_db()
    assert meeting.minutes_published_at is None and meeting.minutes == ""  # nothing saved half-way
    response = logged_in(world.ops_a).post(reverse("visits:meeting", args=[meeting.pk]), {
        "action": "minutes", "m-minutes": "会议决定：十二月开展促销。", "m-publish": "on"}, follow=True)
    assert "会议尚未结束" in response.content.decode() or "has not ended yet" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.minutes_published_at is None


def test_a_tenant_finds_the_coming_meeting_its_time_place_and_agenda(world):
    now = timezone.now()
    soon = meeting_schedule(actor=world.ops_a, centre=world.centre_a, kind="quarterly", title="一季度租户大会",
                            starts_at=now + timedelta(days=5), ends_at=now + timedelta(days=5, hours=2),
                            location="6楼多功能厅", agenda="春节营销活动安排\n节前消防安全检查")
    other = meeting_schedule(actor=world.ops_b, centre=world.centre_b, kind="quarterly", title="B广场租户大会",
                             starts_at=now + timedelta(days=5), ends_at=now + timedelta(days=5, hours=2),
                             location="B馆", agenda="B议程")
    past = meeting_schedule(actor=world.ops_a, centre=world.centre_a, kind="event", title="往期未发纪要的会",
                            starts_at=now - timedelta(days=9), ends_at=now - timedelta(days=9) + timedelta(hours=2),
                            location="5楼", agenda="旧议程")
    c = logged_in(world.signer_a)
    home = c.get(reverse("portal:tenant_home")).content.decode()
    assert reverse("visits:my_meetings") in home  # the way in, from the tenant's home
    page = c.get(reverse("visits:my_meetings")).content.decode()
    assert "一季度租户大会" in page and "6楼多功能厅" in page and "节前消防安全检查" in page
    assert timezone.localtime(soon.starts_at).strftime("%Y-%m-%d %H:%M") in page
    assert "B广场租户大会" not in page and "往期未发纪要的会" not in page
    detail = c.get(reverse("visits:my_meeting", args=[soon.pk])).content.decode()
    assert "<li>春节营销活动安排</li>" in detail and "6楼多功能厅" in detail
    assert_access(reverse("visits:my_meeting", args=[other.pk]), allowed=[world.signer_b], refused=[world.signer_a])
    assert_access(reverse("visits:my_meeting", args=[past.pk]), refused=[world.signer_a, world.signer_b])
    assert "一季度租户大会" not in logged_in(world.signer_b).get(reverse("visits:my_meetings")).content.decode()


def test_a_tenant_who_checked_in_sees_the_meeting_under_way_and_their_registration(world, meeting):
    c = logged_in(world.signer_a)
    done = c.post(reverse("visits:door", args=[meeting_door_token(meeting)])).content.decode()
    assert reverse("visits:my_meeting", args=[meeting.pk]) in done
    page = c.get(reverse("visits:my_meetings")).content.decode()
    assert "四季度租户大会" in page and "年终促销" in page and ("进行中" in page or "under way" in page)
    detail = c.get(reverse("visits:my_meeting", args=[meeting.pk])).content.decode()
    assert 'data-testid="registered"' in detail and "蜀香火锅" in detail


def test_meeting_pages_for_staff_of_the_centre_only(world, meeting):
    for url in (reverse("visits:meeting", args=[meeting.pk]), reverse("visits:meeting_door", args=[meeting.pk])):
        assert_access(url, allowed=[world.ops_a, world.manager],
                      refused=[world.ops_b, world.signer_a, world.editor_a, ANONYMOUS])


def test_a_drafted_letter_whose_words_would_not_reach_the_pdf_is_refused(world):
    from notices.models import Letter
    from notices.services.drafting import letter_draft
    from notices.services.letters import LetterError

    with pytest.raises(LetterError):
        letter_draft(centre=world.centre_a, kind="notice", drafter=world.drafter_a, department="safety",
                     title="停电通知", body="<p>明日停电。</p><textarea>请各商户提前做好准备</textarea>",
                     actor=world.ops_a, origin="test")
    assert not Letter.objects.filter(title="停电通知").exists()


def test_the_meeting_form_preselects_the_centre_of_staff_who_work_at_one_centre(world):
    page = logged_in(world.ops_a).get(reverse("visits:meetings")).content.decode()
    assert f'<option value="{world.centre_a.pk}" selected>' in page
    page = logged_in(world.manager).get(reverse("visits:meetings")).content.decode()  # every centre: theirs to choose
    choices = page.split('name="centre"')[1].split("</select>")[0]
    assert '<option value="" selected>' in choices and choices.count("selected>") == 1
