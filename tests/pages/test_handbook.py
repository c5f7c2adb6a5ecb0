"""Handbook editions: revision history, one PDF per edition, acknowledgements."""

from datetime import date
from io import BytesIO

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from pyhanko.pdf_utils.reader import PdfFileReader

from portal.models import HandbookAcknowledgement, HandbookEdition, PdfStatus
from portal.pages.handbook import (
    HandbookError,
    edition_pending_tenants,
    handbook_acknowledge,
    handbook_edition_issue,
)
from portal.pages.pdf import HandbookChapter, build_handbook_html
from portal.pages.tasks import handbook_ack_reminders
from tests.base import ANONYMOUS, assert_access


def _issue(site, *, requires_ack=True, by=None):
    return handbook_edition_issue(actor=by or site.reviewer_a, handbook=site.handbook_a,
                                  changes="修订施工时间", requires_ack=requires_ack)


def test_chapters_start_on_their_own_pages_in_contents_order():
    from portal.pages.pdf import ASSETS_DIR
    from portal.pdf.render import lay_out

    html = build_handbook_html(title="手册", centre_name="A", hotline="1", edition_number=1, issued_on=date(2026, 1, 1),
                               intro_html="", chapters=[HandbookChapter(f"标题{i}", "<p>正文</p>" * 40) for i in range(1, 4)])
    document = lay_out(html, assets_dir=ASSETS_DIR, stylesheet="handbook.css")
    def flatten(tree):
        for label, destination, children, _state in tree:
            yield label, destination[0]
            yield from flatten(children)

    pages = {label: page for label, page in flatten(document.make_bookmark_tree()) if label.startswith("第")}
    in_order = [pages[f"第{n}章　标题{i}"] for i, n in enumerate("一二三", start=1)]
    assert in_order == sorted(in_order) and len(set(in_order)) == 3
    assert min(in_order) >= 2  # after the cover and the contents


def test_a_reviewer_issues_an_edition_and_its_pdf_is_made_once(site, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        edition = _issue(site, requires_ack=False)
    edition.refresh_from_db()
    assert edition.number == 1
    assert edition.pdf_status == PdfStatus.READY
    pdf = edition.pdf.read()
    assert pdf.startswith(b"%PDF-")
    # cover + contents + foreword + three chapters, each starting a page
    assert PdfFileReader(BytesIO(pdf)).root["/Pages"]["/Count"] >= 6
    first_hash = edition.pdf_sha256
    from portal.pages.handbook import handbook_edition_render

    handbook_edition_render(edition.pk)  # a second run keeps the cached file
    edition.refresh_from_db()
    assert edition.pdf_sha256 == first_hash


def test_the_pdf_html_names_cjk_fonts_and_numbers_the_contents():
    from portal.pages.pdf import ASSETS_DIR

    html = build_handbook_html(title="手册<script>", centre_name="A", hotline="1", edition_number=1,
                               issued_on=date(2026, 1, 1), intro_html="",
                               chapters=[HandbookChapter("消防", '<p>x</p><img src="file:///etc/passwd">')])
    assert "<script>" not in html and "file:///etc/passwd" not in html
    assert 'href="#ch1"' in html and 'id="ch1"' in html
    css = (ASSETS_DIR / "handbook.css").read_text()
    assert "target-counter(attr(href), page)" in css
    assert '"Noto Serif CJK SC"' in css and '"WenQuanYi Zen Hei"' in css


def test_only_web_reviewers_and_managers_issue_editions(site):
    for user in (site.w.editor_a, site.w.ops_a, site.reviewer_b, site.w.signer_a):
        with pytest.raises(PermissionDenied):
            _issue(site, by=user)
    assert _issue(site, by=site.w.manager).number == 1
    assert _issue(site, by=site.reviewer_a).number == 2
    with pytest.raises(HandbookError):
        handbook_edition_issue(actor=site.reviewer_a, handbook=site.handbook_a, changes="  ", requires_ack=False)


def test_signatories_acknowledge_once_per_tenant(site):
    edition = _issue(site)
    w = site.w
    assert set(edition_pending_tenants(edition)) == {w.tenant_a, w.tenant_a2}
    assert len(handbook_acknowledge(user=w.signer_a, edition=edition)) == 1
    assert handbook_acknowledge(user=w.signer_a, edition=edition) == []  # second tap: nothing new
    assert list(edition_pending_tenants(edition)) == [w.tenant_a2]
    with pytest.raises(PermissionDenied):
        handbook_acknowledge(user=w.nonsigner_a, edition=edition)  # a contact who may not sign
    with pytest.raises(PermissionDenied):
        handbook_acknowledge(user=w.signer_b, edition=edition)  # another centre's tenant
    ack = HandbookAcknowledgement.objects.get(edition=edition, tenant=w.tenant_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        HandbookAcknowledgement.objects.create(edition=edition, tenant=w.tenant_a, contact=ack.contact, user=w.signer_a, at=ack.at)


def test_the_acknowledge_button_and_the_revision_history(site):
    edition = _issue(site)
    url = reverse("pages:handbook_ack", args=(edition.pk,))
    client = Client()
    client.force_login(site.w.signer_a)
    page = client.get(site.handbook_a.url).content.decode()
    assert "修订施工时间" in page and 'data-testid="acknowledge"' in page
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert HandbookAcknowledgement.objects.filter(edition=edition, tenant=site.w.tenant_a).count() == 1
    assert 'data-testid="acknowledge"' not in client.get(site.handbook_a.url).content.decode()
    client.post(url)  # a second device
    assert HandbookAcknowledgement.objects.filter(edition=edition).count() == 1
    # Others cannot acknowledge, or even see, another centre's handbook.
    other = Client()
    other.force_login(site.w.signer_b)
    assert other.post(url).status_code == 404
    assert Client().post(url).status_code == 302


def test_the_pdf_download_follows_the_handbooks_privacy(site, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        edition = _issue(site, requires_ack=False)
    url = reverse("pages:handbook_pdf", args=(edition.pk,))
    w = site.w
    assert_access(url, allowed=[w.signer_a, w.nonsigner_a, w.ops_a], refused=[ANONYMOUS, w.signer_b, w.ops_b])
    client = Client()
    client.force_login(w.signer_a)
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_reminders_go_to_signatories_of_tenants_that_have_not_acknowledged(site):
    edition = _issue(site)
    HandbookEdition.objects.filter(pk=edition.pk).update(last_reminded_on=None)
    handbook_acknowledge(user=site.w.signer_a, edition=edition)
    mail.outbox.clear()
    assert handbook_ack_reminders() == 1
    assert [m.to for m in mail.outbox] == [["signer@a2-shop.test"]]
    assert "手册" in mail.outbox[0].subject  # emails go out in Chinese
    assert handbook_ack_reminders() == 0  # once a day at most


def test_a_pdf_lost_on_the_way_is_made_by_the_sweep(site):
    from datetime import timedelta

    from django.utils import timezone

    from portal.pages.tasks import handbook_pdf_sweep

    edition = _issue(site, requires_ack=False)  # its on-commit render never ran (as if the worker died)
    assert edition.pdf_status == PdfStatus.PENDING
    assert handbook_pdf_sweep() == 0  # too recent: the render may still be on its way
    HandbookEdition.objects.filter(pk=edition.pk).update(issued_at=timezone.now() - timedelta(minutes=11))
    assert handbook_pdf_sweep() == 1
    edition.refresh_from_db()
    assert edition.pdf_status == PdfStatus.READY
    assert handbook_pdf_sweep() == 0
