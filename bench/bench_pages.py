"""Published content: the handbook PDF and the serve time of published pages.

Builds a throw-away installation under var/bench-pages (see common.py), loads the demo data
(the demo handbook has eight chapters of real text), then measures:
- rendering the whole handbook to PDF (what the Celery task does per edition);
- median serve time and query count of the notices bulletin and a handbook
  chapter, for an anonymous visitor and a signed-in tenant signatory. The
  handbook is tenant-only, so the anonymous chapter request is the redirect to
  sign in;
- a public notice read anonymously from the page cache: its query count on
  the second read (`public_notice_warm_queries`, 0), its CPU over a bare
  Django 404 in the same process (`public_notice_over_404`), and the queries
  of a handbook chapter read by a signed-in tenant (`handbook_chapter_queries`)."""

import logging
import statistics
import time

from common import cpu_ms, report, reset_database, setup

setup("pages", CELERY_TASK_ALWAYS_EAGER="1")

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.models import (
    HandbookChapterPage,
    HandbookPage,
    NoticeIndexPage,
    NoticePage,
    User,
)
from portal.pages.pdf import HandbookChapter, render_handbook_pdf


def measure(client, url, expect, runs=9):
    client.get(url)  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == expect, (url, response.status_code)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return statistics.median(times) * 1000, len(ctx.captured_queries)


def main():
    reset_database()
    call_command("seed_demo", quiet=True)
    handbook = HandbookPage.objects.get(slug="handbook")
    chapters = [HandbookChapter(title=c.title, body_html=c.body) for c in handbook.chapters()]
    times, size = [], 0
    for _ in range(3):
        start = time.perf_counter()
        pdf = render_handbook_pdf(title=handbook.title, centre_name=handbook.centre.name, hotline=handbook.centre.hotline,
                                  edition_number=3, issued_on=timezone.localdate(), intro_html=handbook.intro, chapters=chapters)
        times.append(time.perf_counter() - start)
        size = len(pdf)
    print(f"handbook_pdf_{len(chapters)}_chapters: {statistics.median(times) * 1000:.0f} ms")
    print(f"handbook_pdf_size: {size / 1024:.0f} KiB")

    bulletin = NoticeIndexPage.objects.live().filter(url_path__contains="/bj/").get()
    chapter = HandbookChapterPage.objects.live().child_of(handbook).order_by("path")[2]
    anonymous, signer = Client(), Client()
    signer.force_login(User.objects.get(email="signer1@tenant.atrium.demo"))
    for who, client in (("anonymous", anonymous), ("signatory", signer)):
        ms, queries = measure(client, bulletin.url, 200)
        print(f"bulletin_{who}: {ms:.1f} ms")
        print(f"bulletin_{who}_queries: {queries} queries")
        ms, queries = measure(client, chapter.url, 302 if who == "anonymous" else 200)
        label = "handbook_chapter_anonymous_redirect" if who == "anonymous" else f"handbook_chapter_{who}"
        print(f"{label}: {ms:.1f} ms")
        print(f"{label}_queries: {queries} queries")
        if who == "signatory":
            report("handbook_chapter_queries", queries, "queries")
    measure_public_notice()


def measure_public_notice():
    notice = NoticePage.objects.live().filter(audience="public").order_by("path").first()
    anonymous = Client()
    anonymous.get(notice.url)  # renders and fills the cache
    with CaptureQueriesContext(connection) as ctx:
        response = anonymous.get(notice.url)
    assert response.status_code == 200 and "public" in response["Cache-Control"], response.headers
    report("public_notice_warm_queries", len(ctx.captured_queries), "queries")
    # The floor: a path no URL pattern matches, Django's own 404 page (its
    # warning in the log silenced: the output is the figures).
    logging.getLogger("django.request").setLevel(logging.ERROR)
    assert anonymous.get("/bench-no-such-path/").status_code == 404
    floor = cpu_ms(lambda: anonymous.get("/bench-no-such-path/"), runs=51)
    warm = cpu_ms(lambda: anonymous.get(notice.url), runs=51)
    report("public_notice_over_404", warm / floor, "x")


if __name__ == "__main__":
    main()
