"""The fire-safety screens say what an inspection found: a failed inspection
is 不合格, not the handbook PDF's 生成失败 (the project catalogue's plain
"Failed" won over the fire catalogue's before each got a context)."""

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.users.models import UserProfile

from .helpers import fire_round, record

pytestmark = pytest.mark.django_db


def _client(user, language):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = language
    profile.save()
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def _header_cells(page: str, testid: str) -> str:
    table = page[page.index(f'data-testid="{testid}"'):]
    return table[:table.index("</thead>")]


@pytest.mark.parametrize(("language", "failed", "inspect"), [("zh-hans", "不合格", "检查"), ("en", "Failed", "Inspect")])
def test_the_failed_column_and_result_read_as_an_inspection_result(fire_world, language, failed, inspect):
    w = fire_world
    round_ = fire_round(w.centre_a)
    record(round_, w.tenant_a, w.ops_a, fail=1)
    client = _client(w.ops_a, language)

    overview = client.get(reverse("fire_admin:overview")).content.decode()
    header = _header_cells(overview, "fire-status")
    assert f"<th>{failed}</th>" in header and "生成失败" not in overview

    page = client.get(reverse("fire_admin:round", args=[round_.pk])).content.decode()
    row = page[page.index(f'data-testid="row-{w.tenant_a.code}"'):]
    assert f'<span class="fire-fail">{failed}</span>' in row[:row.index("</tr>")]
    # Another tenant of the centre, not inspected yet: the button records an inspection.
    button = page[page.index('data-testid="inspect-'):]
    assert f">{inspect}</a>" in button[:button.index("</a>") + 4]
    assert "生成失败" not in page
