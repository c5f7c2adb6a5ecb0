"""R7: a call recording is dated when the call was made — never in the
future, and not more than a day before its request was received (the call
that raised the request comes first, and is often logged the next morning).
A recording dated months earlier was purged the night it was attached."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from tenants.models import CallRecording
from tenants.services.recordings import RecordingError, recording_attach
from tests.base import logged_in, make_request

from .test_call_recordings import wav_upload

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
RECEIVED = datetime(2026, 12, 2, 9, 30, tzinfo=SHANGHAI)


@pytest.fixture
def sr(world, time_machine):
    time_machine.move_to(RECEIVED + timedelta(hours=2), tick=False)
    return make_request(world, received_at=RECEIVED)


def test_a_call_months_before_the_request_was_received_is_refused(world, sr):
    with pytest.raises(RecordingError, match="2026-09-01 10:00.*2026-12-02 09:30"):
        recording_attach(actor=world.ops_a, service_request=sr, upload=wav_upload(),
                         recorded_at=datetime(2026, 9, 1, 10, 0, tzinfo=SHANGHAI))
    assert not CallRecording.objects.exists()


def test_the_call_that_raised_the_request_may_come_up_to_a_day_before_it_was_logged(world, sr):
    night_before = recording_attach(actor=world.ops_a, service_request=sr, upload=wav_upload(),
                                    recorded_at=RECEIVED - timedelta(hours=23, minutes=59))
    later_call = recording_attach(actor=world.ops_a, service_request=sr, upload=wav_upload(),
                                  recorded_at=RECEIVED + timedelta(hours=1))
    assert {night_before.request, later_call.request} == {sr}
    with pytest.raises(RecordingError):
        recording_attach(actor=world.ops_a, service_request=sr, upload=wav_upload(),
                         recorded_at=RECEIVED - timedelta(days=1, minutes=1))
    assert CallRecording.objects.count() == 2


def test_the_request_page_says_why_a_time_before_the_request_is_refused(world, sr):
    response = logged_in(world.ops_a).post(reverse("tenants_recordings:add", args=[sr.pk]), {
        "file": wav_upload(), "recorded_at": "2026-09-01T10:00", "note": "来电",
    }, follow=True)
    page = response.content.decode()
    assert response.status_code == 200 and not CallRecording.objects.exists()
    assert "该来电（2026-09-01 10:00）早于诉求受理时间（2026-12-02 09:30）一天以上" in page
    assert "不得早于诉求受理时间一天以上" in page  # the form says the rule before anyone is refused
