"""Tenant-only pages answer only the centre's tenants and its own staff."""

from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from wagtail.documents.models import Document
from wagtail.models import PageViewRestriction

from portal.models import NoticeAttachment, NoticePage
from portal.pages.privacy import page_apply_audience
from portal.pages.site import centre_collection
from tests.base import ANONYMOUS, PDF_BYTES, assert_access


def test_a_tenant_only_notice_answers_only_the_centres_tenants_and_staff(site):
    w = site.w
    assert_access(
        site.private_notice.url,
        allowed=[w.signer_a, w.nonsigner_a, w.signer_a2, w.editor_a, site.reviewer_a, w.ops_a, w.leader_a,
                 w.manager],
        refused=[ANONYMOUS, w.signer_b, w.ops_b, site.editor_b],
    )


def test_another_centres_staff_get_a_refusal_not_a_login_loop(site):
    client = Client()
    client.force_login(site.w.ops_b)
    response = client.get(site.private_notice.url)
    assert response.status_code == 403
    assert "消防安全检查" not in response.content.decode()


def test_public_pages_answer_everyone(site):
    w = site.w
    for url in (site.public_notice.url, site.bulletin_a.url, site.fees_a.url, site.home_a.url):
        assert_access(url, allowed=[ANONYMOUS, w.signer_b, w.ops_b, w.signer_a])


def test_the_handbook_and_its_chapters_are_for_tenants(site):
    w = site.w
    for url in (site.handbook_a.url, site.chapters[1].url):
        assert_access(url, allowed=[w.signer_a, w.nonsigner_a, w.ops_a], refused=[ANONYMOUS, w.ops_b, w.signer_b])


def test_the_bulletin_lists_tenant_only_notices_to_tenants_only(site):
    client = Client()
    assert "消防安全通知" not in client.get(site.bulletin_a.url).content.decode()
    client.force_login(site.w.signer_b)
    assert "消防安全通知" not in client.get(site.bulletin_a.url).content.decode()
    client.force_login(site.w.signer_a)
    body = client.get(site.bulletin_a.url).content.decode()
    assert "消防安全通知" in body and "国庆假期营业时间调整公告" in body


def _attach(site, notice):
    document = Document(title="检查表", collection=centre_collection(site.w.centre_a))
    document.file.save("check.pdf", ContentFile(PDF_BYTES), save=False)
    document.save()
    return NoticeAttachment.objects.create(page=notice, document=document)


def test_attachments_follow_their_notices_privacy(site):
    attachment = _attach(site, site.private_notice)
    url = reverse("pages:notice_attachment", args=(site.private_notice.pk, attachment.pk))
    w = site.w
    assert_access(url, allowed=[w.signer_a, w.ops_a], refused=[ANONYMOUS, w.signer_b, w.ops_b])
    # Wagtail's own document URL ignores page privacy, so it answers staff only.
    raw = attachment.document.url
    client = Client()
    assert client.get(raw).status_code == 404
    client.force_login(w.signer_a)
    assert client.get(raw).status_code == 404
    # The attachment id must belong to the notice named in the URL.
    public_attachment = _attach(site, site.public_notice)
    wrong = reverse("pages:notice_attachment", args=(site.public_notice.pk, attachment.pk))
    assert Client().get(wrong).status_code == 404
    ok = reverse("pages:notice_attachment", args=(site.public_notice.pk, public_attachment.pk))
    response = Client().get(ok)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"


def test_a_draft_cannot_lift_privacy_before_review(site):
    notice = NoticePage.objects.get(pk=site.private_notice.pk)
    notice.audience = "public"
    notice.save_revision(user=site.w.editor_a)
    page_apply_audience(notice, published=False)  # what the admin's after_edit hook does
    assert PageViewRestriction.objects.filter(page=notice).exists()
    assert Client().get(notice.url).status_code == 302
    # The reviewed revision going live lifts it.
    notice.get_latest_revision().publish(user=site.reviewer_a)
    assert not PageViewRestriction.objects.filter(page=notice).exists()
    assert Client().get(notice.url).status_code == 200


def test_a_draft_made_tenant_only_hides_the_live_page_at_once(site):
    notice = NoticePage.objects.get(pk=site.public_notice.pk)
    notice.audience = "tenants"
    notice.save_revision(user=site.w.editor_a)
    page_apply_audience(notice, published=False)
    assert Client().get(notice.url).status_code == 302


def test_a_tenant_contact_leaving_loses_tenant_pages(site):
    from tests.base import make_contact

    contact = make_contact(site.w.tenant_a, "new@a-shop.test", may_sign=False)
    client = Client()
    client.force_login(contact.user)
    assert client.get(site.private_notice.url).status_code == 200
    contact.active = False
    contact.save()
    assert client.get(site.private_notice.url).status_code == 403
