"""Centre scoping of everything the Wagtail admin serves: snippet choosers
(choose, results, chosen, chosen-multiple, create), the seal-use register,
bulk actions, documents and images (by the centre's collection), the admin
API, the page chooser and page moves.

Staff of centre B asking for centre A's objects get a 404 (or Wagtail's
permission-denied redirect), never the data; staff of centre A get them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notices.fire.models import ChecklistItem
from notices.models import SealUse
from portal.admin_scoping import (
    ScopedSnippetViewSet,
    assert_viewsets_scoped,
    unscoped_viewsets,
)
from portal.models import Role
from tenants.models import DeadlinePolicy, Tenant
from tenants.services.storage import storage_deposit
from tests.base import ANONYMOUS, PDF_BYTES, assert_access, make_request, make_staff
from tests.notices.letters import draft_letter, make_template
from visits.models import VisitPolicy

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _seal_use(world) -> SealUse:
    letter = draft_letter(world.drafter_a, world.centre_a, title="关于调整营业时间的通知")
    now = timezone.now()
    return SealUse.objects.create(
        centre=world.centre_a, letter=letter, doc_number="TA商管〔2026〕007号", title=letter.title,
        applicant=world.drafter_a, leader=world.leader_a, keeper=world.seal_a, leader_approved_at=now,
        keeper_approved_at=now, used_at=now, pdf_sha256="0" * 64, certificate_pem="",
    )


# model -> (app label, how to make centre A's object, who of centre A may choose it)
CENTRE_A_OBJECTS = {
    "tenant": ("tenants", lambda w: w.tenant_a, "ops_a"),
    "unit": ("tenants", lambda w: w.tenant_a.units.first(), "ops_a"),
    "contact": ("tenants", lambda w: w.tenant_a.contacts.first(), "ops_a"),
    "centre": ("tenants", lambda w: w.centre_a, "ops_a"),
    "servicerequest": ("tenants", lambda w: make_request(w, subject="卷帘门无法关闭"), "ops_a"),
    "storagedeposit": ("tenants", lambda w: storage_deposit(
        actor=w.ops_a, tenant=w.tenant_a, items="装修图纸一卷", quantity=1, location="服务台后柜",
        depositor_name="王店长"), "ops_a"),
    "deadlinepolicy": ("tenants", lambda w: DeadlinePolicy.objects.create(centre=w.centre_a), "manager"),
    "letter": ("notices", lambda w: draft_letter(w.drafter_a, w.centre_a, title="关于调整营业时间的通知"), "drafter_a"),
    "lettertemplate": ("notices", lambda w: make_template(w.centre_a, with_seal=False), "seal_a"),
    "sealuse": ("notices", _seal_use, "seal_a"),
    "checklistitem": ("fire", lambda w: ChecklistItem.objects.create(centre=w.centre_a, text="疏散通道畅通无阻"), "manager"),
    "visitpolicy": ("visits", lambda w: VisitPolicy.objects.create(centre=w.centre_a), "manager"),
}


def _chooser(model, view, *args):
    app = CENTRE_A_OBJECTS[model][0]
    return reverse(f"wagtailsnippetchoosers_{app}_{model}:{view}", args=args)


@pytest.mark.parametrize("model", list(CENTRE_A_OBJECTS))
def test_chosen_multiple_gives_another_centres_objects_to_nobody(world, model):
    _app, make, allowed = CENTRE_A_OBJECTS[model]
    obj = make(world)
    url = _chooser(model, "chosen_multiple") + f"?id={obj.pk}"
    refused = _client(world.ops_b).get(url)
    assert refused.status_code == 404
    assert str(obj) not in refused.content.decode()  # Wagtail's 404 page, not JSON
    answered = _client(getattr(world, allowed)).get(url)
    assert answered.status_code == 200
    assert [item["id"] for item in answered.json()["result"]] == [str(obj.pk)]


@pytest.mark.parametrize("model", list(CENTRE_A_OBJECTS))
def test_chosen_gives_another_centres_object_to_nobody(world, model):
    _app, make, allowed = CENTRE_A_OBJECTS[model]
    obj = make(world)
    assert_access(_chooser(model, "chosen", obj.pk), allowed=[getattr(world, allowed)], refused=[world.ops_b])


def test_a_mixed_chosen_multiple_request_is_refused_whole(world):
    url = _chooser("tenant", "chosen_multiple") + f"?id={world.tenant_b.pk}&id={world.tenant_a.pk}"
    response = _client(world.ops_b).get(url)
    assert response.status_code == 404 and "蜀香火锅" not in response.content.decode()


def test_the_seal_use_chooser_lists_only_the_keepers_centre(world):
    seal_use = _seal_use(world)
    seal_b = make_staff("seal@b.test", world.centre_b, Role.SEAL_KEEPER)
    url = _chooser("sealuse", "choose")
    refused = _client(seal_b).get(url)
    assert refused.status_code == 200 and seal_use.doc_number not in refused.json()["html"]
    assert seal_use.doc_number in _client(world.seal_a).get(url).json()["html"]
    url = _chooser("sealuse", "choose_results")
    assert seal_use.doc_number not in _client(seal_b).get(url).content.decode()
    assert seal_use.doc_number in _client(world.seal_a).get(url).content.decode()


def test_the_seal_use_register_opens_for_a_superuser(world):
    from portal.models import User

    _seal_use(world)
    admin = User.objects.create_superuser(email="root@test", password="x" * 12)
    client = _client(admin)
    for view in ("list", "list_results"):
        response = client.get(reverse(f"wagtailsnippets_notices_sealuse:{view}"))
        assert response.status_code == 200
        assert "TA商管〔2026〕007号" in response.content.decode()


def test_the_seal_use_register_is_scoped(world):
    _seal_use(world)
    seal_b = make_staff("seal@b.test", world.centre_b, Role.SEAL_KEEPER)
    url = reverse("wagtailsnippets_notices_sealuse:list")
    assert "TA商管〔2026〕007号" not in _client(seal_b).get(url).content.decode()
    assert "TA商管〔2026〕007号" in _client(world.seal_a).get(url).content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_tenant_chooser_create_view_is_a_clear_refusal_not_a_500(world, method):
    url = _chooser("tenant", "create")
    data = {"centre": world.centre_a.pk, "code": "TB999", "trading_name": "越权新店", "legal_name": "越权新店有限公司"}
    for user in (world.ops_a, world.ops_b):
        response = getattr(_client(user), method)(url, data)
        assert response.status_code == 404
    assert not Tenant.objects.filter(code="TB999").exists()


def test_bulk_delete_of_another_centres_snippets_shows_nothing(world):
    url = reverse("wagtail_bulk_action", args=["tenants", "tenant", "delete"]) + f"?id={world.tenant_a.pk}"
    response = _client(world.ops_b).get(url)
    assert response.status_code in (302, 404)
    assert "蜀香火锅" not in response.content.decode()
    assert_access(url, refused=[world.ops_b, world.signer_a, ANONYMOUS])


def test_every_registered_admin_viewset_is_scoped_or_says_why_not(client):
    from wagtail.admin.viewsets import viewsets

    client.get("/admin/")  # builds the admin URLs, which registers every viewset
    assert viewsets.viewsets and unscoped_viewsets(viewsets.viewsets) == []


def test_a_new_plain_snippet_viewset_stops_the_site_until_it_is_scoped_or_explained():
    from django.core.exceptions import ImproperlyConfigured
    from wagtail.snippets.views.snippets import SnippetViewSet

    class NewViewSet(SnippetViewSet):
        model = Tenant

    class ExplainedViewSet(SnippetViewSet):
        model = Tenant
        unscoped_reason = "operator-wide reference data"

    class ForgotTheScope(ScopedSnippetViewSet):
        model = Tenant

    assert unscoped_viewsets([ExplainedViewSet()]) == []
    assert len(unscoped_viewsets([NewViewSet(), ForgotTheScope()])) == 2
    with pytest.raises(ImproperlyConfigured, match="NewViewSet"):
        assert_viewsets_scoped([NewViewSet()])


# --- Wagtail's documents, images, admin API, page chooser and moves ------------------


@pytest.fixture
def site(world):
    from tests.pages.site import build_site

    return build_site(world)


def _document(centre, title):
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document

    from portal.pages.site import centre_collection

    document = Document(title=title, collection=centre_collection(centre))
    document.file.save("plan.pdf", ContentFile(PDF_BYTES), save=False)
    document.save()
    return document


def _image(centre, title):
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    from portal.pages.site import centre_collection

    return Image.objects.create(title=title, file=get_test_image_file(), collection=centre_collection(centre))


def test_the_document_url_answers_only_staff_of_the_documents_centre(site):
    w = site.w
    document = _document(w.centre_a, "A座招商手册")
    assert_access(document.url, allowed=[w.ops_a, w.editor_a], refused=[w.ops_b, site.editor_b, site.reviewer_b])
    assert _client(ANONYMOUS).get(document.url).status_code == 404


def test_the_admin_api_lists_only_the_users_centres_documents_and_images(site):
    w = site.w
    document, image = _document(w.centre_a, "A座招商手册"), _image(w.centre_a, "A座平面图")
    for endpoint, obj in (("documents", document), ("images", image)):
        listing = f"/admin/api/main/{endpoint}/"
        detail = f"{listing}{obj.pk}/"
        for user in (w.ops_b, site.editor_b):
            client = _client(user)
            assert obj.title not in client.get(listing).content.decode("unicode_escape")
            assert client.get(detail).status_code == 404
        client = _client(w.editor_a)
        assert [item["id"] for item in client.get(listing).json()["items"]] == [obj.pk]
        assert client.get(detail).status_code == 200


def test_the_admin_api_pages_endpoint_keeps_to_the_users_centres(site):
    detail = f"/admin/api/main/pages/{site.private_notice.pk}/"
    for user in (site.w.ops_b, site.editor_b):
        assert _client(user).get(detail).status_code == 404
    assert _client(site.w.editor_a).get(detail).status_code == 200


def test_the_document_and_image_choosers_list_only_the_users_centres(site):
    w = site.w
    _document(w.centre_a, "A座招商手册")
    _image(w.centre_a, "A座平面图")
    for url, title in ((reverse("wagtaildocs_chooser:choose"), "A座招商手册"),
                       (reverse("wagtailimages_chooser:choose"), "A座平面图")):
        assert title not in _client(site.editor_b).get(url).json()["html"]
        if "docs" in url:
            assert title in _client(w.editor_a).get(url).json()["html"]


def test_the_page_chooser_does_not_walk_into_another_centre(site):
    w = site.w
    browse = reverse("wagtailadmin_choose_page_child", args=[site.bulletin_a.pk])
    for user in (w.ops_b, site.editor_b):
        response = _client(user).get(browse)
        assert response.status_code == 404
        root = _client(user).get(reverse("wagtailadmin_choose_page_child", args=[site.home_a.get_parent().pk]))
        assert site.home_a.title not in root.json()["html"]
        search = _client(user).get(reverse("wagtailadmin_choose_page_search"), {"q": "消防"})
        assert site.private_notice.title not in search.content.decode()
        chosen = _client(user).get(reverse("wagtailadmin_choose_page_chosen_multiple"), {"id": site.private_notice.pk})
        assert chosen.status_code == 404
    client = _client(w.editor_a)
    assert site.private_notice.title in client.get(browse).json()["html"]
    chosen = client.get(reverse("wagtailadmin_choose_page_chosen_multiple"), {"id": site.private_notice.pk})
    assert chosen.json()["result"][0]["id"] == site.private_notice.pk


def test_the_move_confirm_page_of_another_centres_page_is_refused(site):
    url = reverse("wagtailadmin_pages:move_confirm", args=[site.private_notice.pk, site.home_b.pk])
    for user in (site.w.ops_b, site.editor_b):
        response = _client(user).get(url)
        assert response.status_code in (302, 404) and site.private_notice.title not in response.content.decode()
    response = _client(site.editor_b).post(url)
    assert response.status_code in (302, 404)
    site.private_notice.refresh_from_db()
    assert site.private_notice.get_parent().pk == site.bulletin_a.pk
    # Whoever Wagtail lets move the page (editors may not move live pages:
    # that would skip the review) still gets the confirmation.
    from portal.models import NoticeIndexPage, User

    archive = site.home_a.add_child(instance=NoticeIndexPage(title="往期公告", slug="archive"))
    admin = User.objects.create_superuser(email="root@test", password="x" * 12)
    own = reverse("wagtailadmin_pages:move_confirm", args=[site.private_notice.pk, archive.pk])
    assert _client(admin).get(own).status_code == 200


def test_bulk_actions_on_another_centres_pages_documents_and_images_show_nothing(site):
    w = site.w
    document, image = _document(w.centre_a, "A座招商手册"), _image(w.centre_a, "A座平面图")
    cases = [
        ("wagtailcore", "page", "delete", site.private_notice.pk, site.private_notice.title),
        ("wagtailcore", "page", "publish", site.private_notice.pk, site.private_notice.title),
        ("wagtaildocs", "document", "delete", document.pk, document.title),
        ("wagtaildocs", "document", "add_tags", document.pk, document.title),
        ("wagtailimages", "image", "delete", image.pk, image.title),
    ]
    for app, model, action, pk, title in cases:
        url = reverse("wagtail_bulk_action", args=[app, model, action]) + f"?id={pk}"
        for user in (w.ops_b, site.editor_b):
            response = _client(user).get(url)
            assert response.status_code in (302, 404), url
            assert title not in response.content.decode()
        assert title in _client(w.editor_a).get(url).content.decode()


def test_the_site_history_report_shows_only_the_users_centres_records(world):
    from wagtail.log_actions import log

    log(instance=world.tenant_a, action="wagtail.edit", user=world.ops_a)
    log(instance=world.tenant_b, action="wagtail.edit", user=world.ops_b)
    for url in ("/admin/reports/site-history/", "/admin/reports/site-history/results/"):
        seen_by_b = _client(world.ops_b).get(url).content.decode()
        assert "星芽童装" in seen_by_b and "蜀香火锅" not in seen_by_b
        assert "蜀香火锅" in _client(world.ops_a).get(url).content.decode()


@pytest.mark.parametrize("view", ["edit", "history", "usage", "workflow_history", "revisions_compare"])
def test_a_letters_history_revisions_and_workflow_answer_only_its_centre(world, view):
    letter = draft_letter(world.drafter_a, world.centre_a, title="关于调整营业时间的通知")
    args = [letter.pk, "earliest", "latest"] if view == "revisions_compare" else [letter.pk]
    url = reverse(f"wagtailsnippets_notices_letter:{view}", args=args)
    assert_access(url, allowed=[world.drafter_a], refused=[world.ops_b, world.signer_a, ANONYMOUS])


def test_a_chooser_with_a_creation_form_keeps_only_objects_in_the_users_scope(world):
    from django.core.exceptions import PermissionDenied
    from django.test import RequestFactory

    from portal.admin_scoping import ScopedChooserViewSet
    from tenants.selectors.directory import tenants_visible_to

    viewset = ScopedChooserViewSet("probe_tenant_chooser", model=Tenant, scope=tenants_visible_to,
                                   form_fields=["centre", "code", "trading_name", "legal_name"])
    view = viewset.create_view

    def post(centre, code):
        request = RequestFactory().post("/", {"centre": centre.pk, "code": code, "trading_name": "新店",
                                              "legal_name": "新店有限公司", "category": "food"})
        request.user = world.ops_b
        return view(request)

    with pytest.raises(PermissionDenied):
        post(world.centre_a, "TA900")
    assert not Tenant.objects.filter(code="TA900").exists()
    assert post(world.centre_b, "TB900").status_code == 200
    assert Tenant.objects.filter(code="TB900", centre=world.centre_b).exists()
