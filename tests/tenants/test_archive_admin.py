"""The tenant archive in the Wagtail admin answers only the centre's staff."""

import pytest
from django.urls import reverse

from portal.models import AuditEvent
from tests.base import ANONYMOUS, assert_access

pytestmark = pytest.mark.django_db


def _url(model, view, *args):
    return reverse(f"wagtailsnippets_tenants_{model}:{view}", args=args)


def test_staff_of_a_centre_list_only_their_centres_tenants(client, world):
    client.force_login(world.ops_a)
    response = client.get(_url("tenant", "list"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "蜀香火锅" in content
    assert "星芽童装" not in content


def test_the_operator_wide_manager_sees_every_centre(client, world):
    client.force_login(world.manager)
    content = client.get(_url("tenant", "list")).content.decode()
    assert "蜀香火锅" in content and "星芽童装" in content


@pytest.mark.parametrize("view", ["edit", "inspect", "history", "usage", "delete"])
def test_staff_of_another_centre_cannot_open_a_tenant_by_url(world, view):
    assert_access(
        _url("tenant", view, world.tenant_a.pk),
        allowed=[world.ops_a] if view not in ("delete",) else [],
        refused=[world.ops_b, world.signer_a, world.editor_a, ANONYMOUS],
    )


@pytest.mark.parametrize("model", ["contact", "unit"])
def test_contacts_and_units_of_another_centre_are_hidden(world, model):
    obj = world.tenant_a.contacts.first() if model == "contact" else world.tenant_a.units.first()
    assert_access(_url(model, "edit", obj.pk), allowed=[world.ops_a], refused=[world.ops_b, world.signer_a, ANONYMOUS])


def test_a_centre_is_edited_by_its_manager_only(world):
    assert_access(
        _url("centre", "edit", world.centre_a.pk),
        allowed=[world.manager],
        refused=[world.ops_a, world.ops_b, world.signer_a, ANONYMOUS],
    )


def test_the_tenant_chooser_lists_only_reachable_tenants(client, world):
    client.force_login(world.ops_b)
    response = client.get(reverse("wagtailsnippetchoosers_tenants_tenant:choose"))
    assert response.status_code == 200
    body = response.json()["html"]
    assert "星芽童装" in body and "蜀香火锅" not in body


def test_chinese_search_finds_a_word_inside_a_name(client, world):
    client.force_login(world.ops_a)
    for query in ("火锅", "蜀香", "TA001"):
        content = client.get(_url("tenant", "list_results"), {"q": query}).content.decode()
        assert "蜀香火锅" in content, query
        assert "云裳女装" not in content, query


def test_export_is_scoped_and_escapes_nothing_of_other_centres(client, world):
    client.force_login(world.ops_b)
    response = client.get(_url("tenant", "list"), {"export": "csv"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
    assert "星芽童装" in body and "蜀香火锅" not in body


def _add_tenant(client, user, centre, code, trading_name, legal_name, tier):
    client.force_login(user)
    return client.post(_url("tenant", "add"), {
        "centre": centre.pk, "code": code, "status": "open", "trading_name": trading_name, "legal_name": legal_name,
        "category": "food", "tier": tier,
    })


def test_a_tenant_cannot_be_created_in_another_centre(client, world):
    response = _add_tenant(client, world.ops_b, world.centre_a, "X1", "X", "X", "1")
    assert response.status_code == 200  # the form is shown again with an error
    assert not world.centre_a.tenants.filter(code="X1").exists()


def test_creating_and_viewing_a_tenant_is_audited(client, world):
    response = _add_tenant(client, world.ops_a, world.centre_a, "TA009", "新店", "新店有限公司", "2")
    assert response.status_code == 302
    tenant = world.centre_a.tenants.get(code="TA009")
    client.get(_url("tenant", "inspect", tenant.pk))
    actions = list(AuditEvent.objects.for_object(tenant).values_list("action", flat=True))
    assert "archive.created" in actions and "archive.viewed" in actions
    assert AuditEvent.objects.for_object(tenant).first().centre == world.centre_a


def test_bad_input_is_refused_with_a_message(client, world):
    client.force_login(world.ops_a)
    response = client.post(
        _url("tenant", "add"),
        {"centre": world.centre_a.pk, "code": "bad code!", "status": "open", "trading_name": "Y", "legal_name": "Y",
         "category": "food", "tier": "9", "lease_start": "2026-05-01", "lease_end": "2025-01-01"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert {"code", "tier", "lease_end"} <= set(form.errors)


def test_search_syntax_in_a_query_is_taken_as_words_not_an_error(client, world):
    client.force_login(world.ops_a)
    for query in ['"火锅', "蜀香 AND (", "*", 'NEAR("x"']:
        response = client.get(reverse("wagtailsnippets_tenants_tenant:list"), {"q": query})
        assert response.status_code == 200, query
    response = client.get(reverse("wagtailsnippets_tenants_tenant:list"), {"q": '"火锅"'})
    assert "蜀香火锅" in response.content.decode()
