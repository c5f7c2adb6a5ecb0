"""Public pages read anonymously come from the page cache, with no query;
every change to what the public reads purges it; restricted pages and
signed-in readers are private and never share a copy with anonymous ones."""

from django.conf import settings
from django.test import Client
from django.urls import reverse
from wagtail.models import PageViewRestriction

from portal.models import NoticePage
from tests.pages.site import publish


def _warm(client, url):
    first = client.get(url)
    assert first.status_code == 200
    return first


def test_the_second_anonymous_read_of_a_public_notice_costs_no_query(site, django_assert_num_queries):
    client = Client()
    _warm(client, site.public_notice.url)
    with django_assert_num_queries(0):
        response = client.get(site.public_notice.url)
    assert response.status_code == 200
    assert "国庆假期营业时间调整公告" in response.content.decode()
    cache_control = response["Cache-Control"]
    assert "public" in cache_control and f"max-age={settings.ATRIUM_PUBLIC_PAGE_MAX_AGE}" in cache_control
    assert response["ETag"] and response["Last-Modified"]
    assert {"cookie", "accept-language"} <= {v.strip().lower() for v in response["Vary"].split(",")}
    # The security headers come with a cached copy too.
    assert response["X-Frame-Options"] == "DENY" and "frame-ancestors" in response["Content-Security-Policy"]


def test_an_anonymous_public_page_sets_no_cookie(site):
    client = Client(enforce_csrf_checks=True)
    for url in (site.public_notice.url, site.bulletin_a.url, site.home_a.url, site.fees_a.url, reverse("portal:landing")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert not response.cookies, (url, list(response.cookies))
        assert settings.CSRF_COOKIE_NAME not in client.cookies


def test_the_landing_page_is_cached_for_anonymous_readers(site, django_assert_num_queries):
    client = Client()
    _warm(client, reverse("portal:landing"))
    with django_assert_num_queries(0):
        response = client.get(reverse("portal:landing"))
    assert "public" in response["Cache-Control"]


def test_a_matching_etag_gets_not_modified(site, django_assert_num_queries):
    client = Client()
    _warm(client, site.public_notice.url)
    etag = client.get(site.public_notice.url)["ETag"]
    with django_assert_num_queries(0):
        response = client.get(site.public_notice.url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304


def test_languages_never_share_a_cached_copy(site):
    client = Client()
    assert "24小时服务热线" in _warm(client, site.home_a.url).content.decode()
    english = client.get(site.home_a.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "24-hour service hotline" in english and "24小时服务热线" not in english
    by_cookie = Client()
    by_cookie.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "24-hour service hotline" in by_cookie.get(site.home_a.url).content.decode()
    assert "24小时服务热线" in client.get(site.home_a.url).content.decode()


def test_the_language_switch_needs_no_csrf_token(site):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("set_language"), {"language": "en", "next": site.home_a.url})
    assert response.status_code == 302
    assert "24-hour service hotline" in client.get(site.home_a.url).content.decode()


def test_forms_that_change_something_keep_their_csrf_token(site):
    client = Client(enforce_csrf_checks=True)
    client.force_login(site.w.signer_a)
    body = client.get(site.handbook_a.url).content.decode()
    assert "csrfmiddlewaretoken" in body  # the sign-out form (and the acknowledgement)
    assert client.post(reverse("account_logout")).status_code == 403


def test_a_new_revision_is_visible_at_once(site):
    client = Client()
    _warm(client, site.public_notice.url)
    _warm(client, site.bulletin_a.url)
    notice = NoticePage.objects.get(pk=site.public_notice.pk)
    notice.title = "营业时间再次调整"
    notice.save_revision(user=site.reviewer_a).publish(user=site.reviewer_a)
    assert "营业时间再次调整" in client.get(site.public_notice.url).content.decode()
    assert "营业时间再次调整" in client.get(site.bulletin_a.url).content.decode()


def test_a_newly_published_notice_shows_on_the_cached_bulletin(site):
    client = Client()
    _warm(client, site.bulletin_a.url)
    publish(site.bulletin_a, NoticePage(title="停车场改造公告", slug="parking", audience="public", body="<p>改造。</p>"),
            by=site.reviewer_a)
    assert "停车场改造公告" in client.get(site.bulletin_a.url).content.decode()


def test_an_unpublished_notice_is_gone_at_once(site):
    client = Client()
    _warm(client, site.public_notice.url)
    NoticePage.objects.get(pk=site.public_notice.pk).unpublish(user=site.reviewer_a)
    assert client.get(site.public_notice.url).status_code == 404


def test_a_deleted_or_moved_notice_is_gone_from_its_old_address(site):
    client = Client()
    url = site.public_notice.url
    _warm(client, url)
    NoticePage.objects.get(pk=site.public_notice.pk).move(site.home_a, pos="last-child")
    assert client.get(url).status_code == 301  # Wagtail's redirect to the new address, not the cached copy
    moved = NoticePage.objects.get(pk=site.public_notice.pk)
    _warm(client, moved.url)
    moved.delete()
    assert client.get(moved.url).status_code == 404


def test_making_a_page_private_purges_it(site):
    client = Client()
    _warm(client, site.public_notice.url)
    restriction = PageViewRestriction.objects.create(page=site.public_notice, restriction_type=PageViewRestriction.LOGIN)
    response = client.get(site.public_notice.url)
    assert response.status_code == 302
    assert "private" in response["Cache-Control"]
    restriction.delete()
    assert client.get(site.public_notice.url).status_code == 200


def test_restricted_pages_are_private(site):
    anonymous = Client()
    response = anonymous.get(site.private_notice.url)
    assert response.status_code == 302 and "private" in response["Cache-Control"]
    tenant = Client()
    tenant.force_login(site.w.signer_a)
    response = tenant.get(site.private_notice.url)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]


def test_signed_in_and_anonymous_readers_never_share_a_copy(site):
    anonymous = Client()
    assert "消防安全通知" not in _warm(anonymous, site.bulletin_a.url).content.decode()
    tenant = Client()
    tenant.force_login(site.w.signer_a)
    response = tenant.get(site.bulletin_a.url)
    assert "消防安全通知" in response.content.decode()  # the tenant-only notice: not the anonymous copy
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]
    assert "消防安全通知" not in anonymous.get(site.bulletin_a.url).content.decode()
    assert tenant.get(reverse("portal:landing")).status_code == 302  # to their home, not the cached landing


def test_a_signed_in_tenant_reads_a_chapter_in_a_bounded_number_of_queries(site, django_assert_max_num_queries):
    # Privacy is asked once per request (three hooks used to ask again, with
    # the groups of each restriction); the breadcrumbs, the privacy check and
    # the chapter's handbook share one list of ancestors. Was 23.
    client = Client()
    client.force_login(site.w.signer_a)
    client.get(site.chapters[1].url)
    with django_assert_max_num_queries(17):
        response = client.get(site.chapters[1].url)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    body = response.content.decode()
    assert "租户服务管理手册" in body and "服务热线" in body and "消防安全" in body  # crumbs, previous, next


def test_with_signed_media_links_a_cached_page_never_outlives_them(site, settings, django_assert_num_queries):
    """Media on S3 is linked with URLs signed for AWS_QUERYSTRING_EXPIRE
    seconds: the server keeps a page at most that long, less the browser's
    max-age and a minute, so an image on a cached notice never has an
    expired link."""
    import time_machine
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    settings.AWS_STORAGE_BUCKET_NAME, settings.AWS_QUERYSTRING_AUTH = "atrium", True
    settings.AWS_QUERYSTRING_EXPIRE, settings.ATRIUM_PUBLIC_PAGE_MAX_AGE = 300, 60
    client = Client()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        _warm(client, site.public_notice.url)
        clock.shift(170)
        with django_assert_num_queries(0):
            client.get(site.public_notice.url)  # still within 300 - 60 - 60 s
        clock.shift(20)
        with CaptureQueriesContext(connection) as rendered_again:
            assert client.get(site.public_notice.url).status_code == 200
    assert rendered_again.captured_queries  # 190 s old: rendered afresh, with fresh links


def test_without_signed_links_pages_keep_the_configured_lifetime(settings):
    from portal.pages.cache import page_lifetime

    settings.AWS_STORAGE_BUCKET_NAME, settings.ATRIUM_PAGE_CACHE_SECONDS = "", 3600
    assert page_lifetime() == 3600
