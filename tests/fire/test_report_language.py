"""The fire-safety round report is read in the language of the person who
asked for it (their admin language), Chinese when nobody chose one (R27)."""

import pytest
from django.test import Client, TestCase
from django.urls import reverse
from wagtail.users.models import UserProfile

from notices.fire.services.report import report_html
from tests.notices import pdftotext, squash

from .helpers import fire_round, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_(fire_world):
    w = fire_world
    rnd = fire_round(w.centre_a)
    record(rnd, w.tenant_a, w.ops_a, fail=1)
    return rnd


def _request_report(user, round_):
    client = Client()
    client.force_login(user)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client.post(reverse("fire_admin:report_request", args=[round_.pk])).status_code == 302
    round_.refresh_from_db()
    with round_.report_pdf.open("rb") as fh:
        return squash(pdftotext(fh.read()))


def test_chinese_by_default(fire_world, round_):
    text = _request_report(fire_world.leader_a, round_)
    assert "消防安全检查报告" in text and "检查项目" in text and "不合格" in text and "第1页/共1页" in text
    assert "inspection report" not in text


def test_in_english_for_someone_who_reads_english(fire_world, round_):
    profile = UserProfile.get_for_user(fire_world.leader_a)
    profile.preferred_language = "en"
    profile.save()
    text = _request_report(fire_world.leader_a, round_)
    assert "fire-safetyinspectionreport" in text and "Checklist:" in text and "Failed" in text and "Page1of1" in text
    assert "消防安全检查报告" not in text and "合格" not in text


def test_the_html_follows_the_language_given(fire_world, round_):
    assert 'lang="en"' in report_html(round_, language="en")
    assert "zh" in report_html(round_)[:200]
