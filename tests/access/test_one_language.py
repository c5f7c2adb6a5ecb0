"""Every page in one language: the pages of the generated access walk,
rendered for each role of staff, a manager and a tenant, in Chinese and in
English, must not show a string of the other language.

In Chinese a page fails on English words (two in a row, or one beside
Chinese text, or "1 pages"); in English it fails on any Chinese character.
What records hold (names, titles, bodies the world's fixtures typed in
Chinese or with a marker) is data and is taken out first (visible_text.py);
ALLOWED below lists, with a reason, the few remaining strings that are
neither the product's words nor a record's."""

from __future__ import annotations

from collections import defaultdict

import pytest
from django.test import Client
from wagtail.users.models import UserProfile

from .fills import NoFill, fill
from .test_url_access import NOT_REQUESTED
from .visible_text import data_to_take_out, judge, visible_chunks
from .walk import is_file, response_bytes, walk_patterns

pytestmark = pytest.mark.slow

# Every role of staff, the operator-wide manager, a tenant and the operator's
# administrator (superuser), whose pages include the Django admin.
ROLES = ("ops_a", "drafter_a", "leader_a", "seal_a", "editor_a", "reviewer_a", "web_a", "manager", "signer_a", "superuser")

# Strings that may stay in the other language, and why. Each is cut out of
# the page's text before it is judged, as data is.
ALLOWED = {
    "zh-hans": [
        "English",  # the language switch names each language in itself
        # django-celery-beat's help text shows what JSON looks like.
        '{"argument": "value"}',
        # Django's help for a multiple choice names the keys to hold.
        "Control", "Command", "Mac",
        # The Django admin's delete confirmation lists rows that have no name but
        # their class's ("User_groups object (1)", "Rendition object (3)") and
        # Wagtail's English description of a group's permission ("Group 13 ('…')
        # has permission '…' on collection 2"). Only a superuser reads them,
        # only there.
        *[f"{name} object" for name in ("User_groups", "PageViewRestriction_groups", "Rendition")],
        "has permission", "on collection", "on page", "Group",
        # The holiday calendar's package, named for the administrator who updates it.
        "chinese-calendar",
    ],
    "en": [
        "简体中文",  # the language switch names each language in itself
        # The procedure's official forms, named by their printed (Chinese) titles.
        "租户临时物品寄存记录表", "诉求(需求)记录表",
        # Examples of what is written in Chinese whatever the screen's language:
        # a checklist item, the addressee printed on a letter.
        "e.g. 消防通道畅通", "e.g. 各位商户",
    ],
}
# Pages not judged: not a page of the product's words.
SKIPPED = {
    "wagtailadmin_api:pages:listing",
    # For machines and operators, not tenants or staff: Prometheus text.
    "metrics",
}


def _client(user, language: str) -> Client:
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE=language)
    client.cookies["django_language"] = language
    if user is not None:
        profile = UserProfile.get_for_user(user)
        profile.preferred_language = language
        profile.save()
        client.force_login(user)
    return client


def _pages(world):
    objs = world.objects("A")
    seen = set()
    for pattern in walk_patterns():
        if pattern.name in NOT_REQUESTED or pattern.name in SKIPPED:
            continue
        try:
            paths, _keys = fill(pattern, objs)
        except NoFill:
            continue
        for path in paths:
            if path not in seen:
                seen.add(path)
                yield pattern, path


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("role", ROLES)
def test_every_page_is_in_one_language(access_world, role, language):
    data = data_to_take_out(language, ALLOWED[language])
    client = _client(access_world.people[role], language)
    problems: dict[str, set[str]] = defaultdict(set)  # string -> pages
    for _pattern, path in _pages(access_world):
        response = client.get(path)
        if response.status_code != 200 or is_file(response):
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        found = judge(visible_chunks(response_bytes(response).decode("utf-8", "ignore")), language, data)
        for text in found:
            problems[text].add(path)
    assert not problems, f"{len(problems)} string(s) as {role} in {language} from the other language:\n" + "\n".join(
        f"{text}  on {len(paths)} page(s): {', '.join(sorted(paths)[:3])}" for text, paths in sorted(problems.items()))
