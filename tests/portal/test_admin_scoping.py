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
from tenants.storage_services import storage_deposit
from tests.base import ANONYMOUS, assert_access, make_request, make_staff
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
