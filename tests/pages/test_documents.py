"""Attachments uploaded in the admin are judged by their bytes."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from wagtail.documents.models import Document

from portal.models import User
from portal.pages.site import centre_collection
from tests.base import PDF_BYTES


def _upload(site, name, content):
    client = Client()
    client.force_login(site.w.editor_a)
    return client.post(reverse("wagtaildocs:add"), {
        "title": "附件", "file": SimpleUploadedFile(name, content), "collection": centre_collection(site.w.centre_a).pk,
    })


def test_a_real_pdf_is_accepted(site):
    assert _upload(site, "plan.pdf", PDF_BYTES).status_code == 302
    assert Document.objects.filter(title="附件").exists()


def test_a_script_named_pdf_is_refused(site):
    response = _upload(site, "plan.pdf", b"<script>alert(1)</script>")
    assert response.status_code == 200
    assert not Document.objects.filter(title="附件").exists()


def test_an_editor_cannot_put_files_in_another_centres_collection(site):
    client = Client()
    client.force_login(site.w.editor_a)
    client.post(reverse("wagtaildocs:add"), {
        "title": "越权附件", "file": SimpleUploadedFile("x.pdf", PDF_BYTES), "collection": centre_collection(site.w.centre_b).pk,
    })
    # Only the editor's own centre's collection is offered, whatever is posted.
    assert not Document.objects.filter(collection=centre_collection(site.w.centre_b)).exists()


def test_tag_suggestions_come_from_the_staff_members_own_centres(site):
    """Tag names are free text: centre A's editor is not offered centre B's."""
    for centre, tag in ((site.w.centre_a, "甲方整改"), (site.w.centre_b, "甲方欠费")):
        document = Document.objects.create(title=tag, file=SimpleUploadedFile("t.pdf", PDF_BYTES),
                                           collection=centre_collection(centre))
        document.tags.add(tag)
    client = Client()
    client.force_login(site.w.editor_a)
    for url in ("/admin/tag-autocomplete/", "/admin/tag-autocomplete/taggit/tag/"):
        assert client.get(url, {"term": "甲方"}).json() == ["甲方整改"]
    assert client.get("/admin/tag-autocomplete/wagtaildocs/document/", {"term": "甲"}).status_code == 404
    superuser = Client()
    superuser.force_login(User.objects.create_superuser(email="root@operator.test", password="x"))
    assert sorted(superuser.get("/admin/tag-autocomplete/", {"term": "甲方"}).json()) == sorted(["甲方欠费", "甲方整改"])


def test_renaming_a_centre_keeps_its_editors_files(site):
    """The centre's collection is held by key, not found by the centre's name."""
    document = Document.objects.create(title="平面图", file=SimpleUploadedFile("p.pdf", PDF_BYTES),
                                       collection=centre_collection(site.w.centre_a))
    site.w.centre_a.name = "新名字购物中心"
    site.w.centre_a.save()
    client = Client()
    client.force_login(site.w.editor_a)
    assert document.title in client.get(reverse("wagtaildocs:index")).content.decode()
    assert centre_collection(site.w.centre_a) == document.collection
