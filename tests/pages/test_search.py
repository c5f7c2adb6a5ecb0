"""Chinese search over the published pages, respecting page privacy."""

from django.test import Client
from django.urls import reverse

from portal.models import NoticePage
from tests.pages.site import publish


def _titles(client, q):
    response = client.get(reverse("pages:search"), {"q": q})
    assert response.status_code == 200
    return [r.title for r in response.context["results"]]


def test_a_word_finds_the_compound_it_is_part_of(site):
    client = Client()
    client.force_login(site.w.signer_a)
    titles = _titles(client, "消防")
    assert "消防安全通知" in titles  # "消防" inside "消防安全通知"
    assert "消防安全" in titles  # the handbook chapter
    assert "国庆假期营业时间调整公告" not in titles


def test_the_body_is_searched_too(site):
    client = Client()
    client.force_login(site.w.signer_a)
    assert "装修施工" in _titles(client, "工作日")


def test_visitors_find_only_what_they_may_read(site):
    anonymous = Client()
    assert _titles(anonymous, "消防") == []
    assert "国庆假期营业时间调整公告" in _titles(anonymous, "国庆")
    other_centre = Client()
    other_centre.force_login(site.w.signer_b)
    assert _titles(other_centre, "消防") == []


def test_unpublished_pages_are_not_found(site):
    draft = publish(site.bulletin_a, NoticePage(title="消防演练通知", slug="drill", audience="public", body="<p>演练</p>"), by=site.reviewer_a)
    draft.unpublish()
    assert "消防演练通知" not in _titles(Client(), "消防演练")


def test_odd_queries_do_not_break_the_page(site):
    client = Client()
    for q in ("", "   ", "a" * 500, "\"'<>", "消防 OR 1=1"):
        assert client.get(reverse("pages:search"), {"q": q}).status_code == 200
