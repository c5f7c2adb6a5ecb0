"""R27 for the two PDFs the published site keeps: the handbook's edition PDF
and the fee-schedule notice are each made in Chinese and in English (one file
per language, by Celery tasks), and a download is in the reader's language —
the tenant side's language switch, the admin's preference — Chinese by
default, either on request. What staff typed stays as typed; downloads stay
behind the same access checks."""

from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from wagtail.users.models import UserProfile

from portal.models import AuditEvent, FeeNotice, HandbookEdition, PdfStatus
from portal.pages.fee_notices import fee_notices_refresh
from portal.pages.handbook import handbook_edition_issue
from portal.pages.tasks import fee_notices_refresh_task, handbook_pdf_sweep
from portal.pdf.kept import PDF_FIELDS, pdf_language
from tests.base import ANONYMOUS, assert_access, logged_in

from .pdf_text import chinese_left, pdf_text


def test_a_file_is_kept_for_each_language_of_the_site_chinese_first():
    assert list(PDF_FIELDS) == [code for code, _name in settings.LANGUAGES] and settings.LANGUAGE_CODE == "zh-hans"
    assert [pdf_language(c) for c in ("en", "en-GB", "zh-hans", "zh-CN", "fr", "", None)] == [
        "en", "en", "zh-hans", "zh-hans", "zh-hans", "zh-hans", "zh-hans"]


def _download(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf", response.status_code
    assert response["Cache-Control"].startswith("private, no-store")
    return pdf_text(b"".join(response.streaming_content))


def _reading_english(user):
    """A tenant-side reader who chose English with the site's switch (a cookie)."""
    client = logged_in(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _handbook_typed(site) -> tuple[str, ...]:
    handbook, centre = site.handbook_a, site.w.centre_a
    return (handbook.title, handbook.intro, centre.name, *(c.title for c in site.chapters),
            *(c.body for c in site.chapters))


def test_an_edition_is_kept_in_both_languages_and_each_reader_gets_theirs(site, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        edition = handbook_edition_issue(actor=site.reviewer_a, handbook=site.handbook_a, changes="修订", requires_ack=False)
    edition.refresh_from_db()
    assert edition.pdf_status == PdfStatus.READY and edition.pdf and edition.pdf_en
    assert edition.pdf_sha256 != edition.pdf_en_sha256
    url = reverse("pages:handbook_pdf", args=[edition.pk])
    w = site.w

    chinese = _download(logged_in(w.signer_a), url)
    for expected in ("第一章服务热线", "第二章装修施工", "第三章消防安全", "目录", "第1版", "24小时服务热线：0571-1000-0000"):
        assert expected in chinese, expected
    assert "Chapter" not in chinese

    english = _download(_reading_english(w.signer_a), url)
    for expected in ("Chapter1服务热线", "Chapter3消防安全", "Contents", "Foreword", "Edition1",
                     "24-hourservicehotline:0571-1000-0000", "施工须提前3个工作日申请。"):
        assert expected in english, expected
    assert chinese_left(english, *_handbook_typed(site)) == []

    # A link may name the language; a value that is none is no error.
    assert "第一章" in _download(_reading_english(w.signer_a), f"{url}?language=zh-hans")
    assert "Chapter1" in _download(logged_in(w.signer_a), f"{url}?language=en")
    assert "第一章" in _download(logged_in(w.signer_a), f"{url}?language=fr")
    # The same people as before, in either language.
    assert_access(f"{url}?language=en", allowed=[w.signer_a, w.nonsigner_a, w.ops_a], refused=[ANONYMOUS, w.signer_b, w.ops_b])


def test_an_edition_from_before_the_english_file_gets_it_from_the_sweep(site, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        edition = handbook_edition_issue(actor=site.reviewer_a, handbook=site.handbook_a, changes="修订", requires_ack=False)
    edition.refresh_from_db()
    chinese_sha = edition.pdf_sha256
    HandbookEdition.objects.filter(pk=edition.pk).update(pdf_en="", pdf_en_sha256="",
                                                         issued_at=timezone.now() - timedelta(minutes=30))
    url = reverse("pages:handbook_pdf", args=[edition.pk])
    reader = _reading_english(site.w.signer_a)
    response = reader.get(url)
    assert response.status_code == 302 and response["Location"] == site.handbook_a.url  # "being prepared"
    assert "第一章" in _download(logged_in(site.w.signer_a), url)  # the Chinese meanwhile, as before

    assert handbook_pdf_sweep() == 1
    edition.refresh_from_db()
    assert edition.pdf_en and edition.pdf_sha256 == chinese_sha  # the acknowledged file is left alone
    assert "Chapter1" in _download(reader, url)
    assert handbook_pdf_sweep() == 0


def _fee_typed(site, schedule) -> tuple[str, ...]:
    centre = site.w.centre_a
    items = [x for item in schedule.items.all() for x in (item.name, item.unit, item.remarks)]
    return (schedule.title, centre.name, centre.letterhead_name, centre.letterhead_address, centre.address, *items)


def test_a_fee_notice_is_kept_in_both_languages_and_staff_get_theirs(site, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        fee_notices_refresh()
    notice = FeeNotice.objects.get()
    assert notice.status == PdfStatus.READY and notice.pdf and notice.pdf_en and notice.made_at
    schedule = site.fees_a.current_schedule()
    url = reverse("portal_fee_notices:pdf", args=[notice.pk])
    w = site.w

    chinese = _download(logged_in(w.ops_a), url)
    for expected in ("收费标准公示", "物业服务费", "元/m²/月", f"自{schedule.effective_from.year}年1月1日起执行", "扫描二维码"):
        assert expected in chinese, expected

    profile = UserProfile.get_for_user(w.ops_a)  # the admin's language preference
    profile.preferred_language = "en"
    profile.save()
    english = _download(logged_in(w.ops_a), url)
    for expected in ("Feeschedule", "Servicecharges", f"Effectivefrom1January{schedule.effective_from.year}",
                     "物业服务费", "28.00", "元/m²/月"):
        assert expected in english, expected
    assert "收费标准公示" not in english
    assert chinese_left(english, *_fee_typed(site, schedule)) == []

    # The index offers both, for printing in either whatever the admin is read in.
    page = logged_in(w.ops_a).get(reverse("portal_fee_notices:index")).content.decode()
    assert f"{url}?language=zh-hans" in page and f"{url}?language=en" in page
    assert "收费标准公示" in _download(logged_in(w.ops_a), f"{url}?language=zh-hans")
    events = AuditEvent.objects.filter(action="fee_notice.downloaded", actor=w.ops_a).order_by("pk")
    assert [e.details["language"] for e in events] == ["zh-hans", "en", "zh-hans"]
    assert events[1].details["sha256"] == notice.pdf_en_sha256
    assert_access(f"{url}?language=en", allowed=[w.manager], refused=[w.ops_b, w.signer_a, ANONYMOUS])


def test_a_notice_without_its_english_file_is_made_by_the_daily_run(site, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        fee_notices_refresh()
    notice = FeeNotice.objects.get()
    FeeNotice.objects.filter(pk=notice.pk).update(pdf_en="", pdf_en_sha256="")
    url = reverse("portal_fee_notices:pdf", args=[notice.pk])
    response = logged_in(site.w.ops_a).get(f"{url}?language=en")
    assert response.status_code == 302 and response["Location"] == reverse("portal_fee_notices:index")

    with django_capture_on_commit_callbacks(execute=True):
        fee_notices_refresh_task.delay()
    notice.refresh_from_db()
    assert notice.pdf_en and "Feeschedule" in _download(logged_in(site.w.ops_a), f"{url}?language=en")
