"""Attachments uploaded in the admin are judged by their bytes."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from wagtail.documents.models import Document

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
