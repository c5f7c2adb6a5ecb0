"""The demo data shows the published content, and loading it twice adds nothing."""

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django.utils.html import strip_tags

from portal.demo.pages import seed_pages
from portal.models import (
    AlertRecipient,
    BroadcastAlert,
    FeeScheduleIndexPage,
    HandbookAcknowledgement,
    HandbookPage,
    HolidayGreeting,
    NoticePage,
    PdfStatus,
    User,
)
from tenants.models import Centre

pytestmark = pytest.mark.django_db


def test_the_demo_has_handbook_fees_notices_alert_and_greetings(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", quiet=True)
    handbook = HandbookPage.objects.get(url_path__contains="/bj/")
    chapters = list(handbook.chapters())
    assert len(chapters) >= 6
    assert all(len(strip_tags(c.body)) > 120 for c in chapters)
    assert {"消防安全管理", "装修与施工管理", "投诉与建议处理"} <= {c.title for c in chapters}
    editions = list(handbook.editions.order_by("number"))
    assert [e.requires_ack for e in editions] == [False, True]
    assert all(e.pdf_status == PdfStatus.READY for e in editions)
    assert HandbookAcknowledgement.objects.filter(edition=editions[-1]).count() == 3

    fees = FeeScheduleIndexPage.objects.get(url_path__contains="/bj/")
    assert fees.current_schedule().effective_from.year == timezone.localdate().year
    assert fees.schedules().count() == 2

    notices = NoticePage.objects.live().filter(url_path__contains="/bj/")
    assert {"public", "tenants"} <= set(notices.values_list("audience", flat=True))

    alert = BroadcastAlert.objects.get(kind="typhoon")
    assert alert.level == "orange" and alert.status == "closed"
    confirmed = AlertRecipient.objects.filter(alert=alert, confirmed_at__isnull=False).count()
    assert 0 < confirmed < alert.recipients.count()
    assert HolidayGreeting.objects.filter(status="sent").exists() and HolidayGreeting.objects.filter(status="draft").exists()

    # What a visitor and a demo signatory see.
    signer = Client()
    signer.force_login(User.objects.get(email="signer1@tenant.atrium.demo"))
    assert signer.get(chapters[2].url).status_code == 200
    assert Client().get(chapters[2].url).status_code == 302
    assert Client().get(fees.url).status_code == 200

    counts = (NoticePage.objects.count(), BroadcastAlert.objects.count(), HolidayGreeting.objects.count(), handbook.editions.count())
    seed_pages({c.code: c for c in Centre.objects.all()})
    assert counts == (NoticePage.objects.count(), BroadcastAlert.objects.count(), HolidayGreeting.objects.count(), handbook.editions.count())
