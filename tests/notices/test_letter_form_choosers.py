"""Named tenants and affected units are chosen in searchable chooser modals
scoped to the letter's centre and the drafter's centres: another centre's
tenant never appears, cannot be chosen by id, and is refused with a clear
error when posted; the live count previews the first shop names."""

import json

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.users.models import UserProfile

from notices.models import Letter
from tenants.models import Unit

from .test_letter_form import letter_data

pytestmark = pytest.mark.django_db

TENANTS = "notices_recipient_tenants"
UNITS = "notices_recipient_units"


def modal_html(response) -> str:
    assert response.status_code == 200
    return json.loads(response.content)["html"]


def results(client, chooser, **params) -> str:
    response = client.get(reverse(f"{chooser}:choose_results"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_form_offers_choosers_not_a_ticked_list(world, drafter):
    page = drafter.get(reverse("wagtailsnippets_notices_letter:add")).content.decode()
    assert 'type="checkbox" name="recipient_tenants"' not in page
    for chooser, field in ((TENANTS, "recipient_tenants"), (UNITS, "recipient_units")):
        assert f'data-field-name="{field}" data-chooser-url="{reverse(f"{chooser}:choose")}"' in page
    assert 'data-linked-field="centre"' in page and "notices/multiple_chooser.js" in page
    assert "选择商户" in page and "选择铺位" in page


def test_the_tenant_chooser_lists_the_letters_centre_only_and_searches_in_chinese(world, drafter):
    html = modal_html(drafter.get(reverse(f"{TENANTS}:choose"), {"multiple": 1, "centre": world.centre_a.pk}))
    assert "蜀香火锅" in html and "云裳女装" in html and "星芽童装" not in html
    assert 'data-multiple-choice-select name="id"' in html  # several at once
    assert f"centre={world.centre_a.pk}" in html  # kept while searching and confirming
    found = results(drafter, TENANTS, multiple=1, centre=world.centre_a.pk, q="火锅")
    assert "蜀香火锅" in found and "云裳女装" not in found
    assert "云裳女装" in results(drafter, TENANTS, centre=world.centre_a.pk, q="ta002")
    # Another centre, by its id or by searching for its tenant: nothing.
    assert "星芽童装" not in results(drafter, TENANTS, centre=world.centre_b.pk)
    assert "星芽童装" not in results(drafter, TENANTS, q="星芽")
    for bad in ("x", "٣", "9" * 40, ""):
        assert "蜀香火锅" not in results(drafter, TENANTS, centre=bad)


def test_choosing_answers_for_the_users_own_centres_only(world, drafter):
    chosen = drafter.get(reverse(f"{TENANTS}:chosen_multiple"), {"id": [world.tenant_a.pk, world.tenant_a2.pk]})
    result = json.loads(chosen.content)["result"]
    assert {r["id"] for r in result} == {str(world.tenant_a.pk), str(world.tenant_a2.pk)}
    assert drafter.get(reverse(f"{TENANTS}:chosen_multiple"), {"id": [world.tenant_a.pk, world.tenant_b.pk]}
                       ).status_code == 404
    assert drafter.get(reverse(f"{TENANTS}:chosen", args=[world.tenant_b.pk])).status_code == 404
    unit_b = Unit.objects.get(centre=world.centre_b)
    assert drafter.get(reverse(f"{UNITS}:chosen", args=[unit_b.pk])).status_code == 404
    other = Client()
    other.force_login(world.ops_b)
    assert "蜀香火锅" not in results(other, TENANTS)
    signer = Client()
    signer.force_login(world.signer_a)
    assert signer.get(reverse(f"{TENANTS}:choose")).status_code in (302, 403)


def test_another_centres_tenant_in_the_post_is_refused_with_a_clear_error(world, drafter):
    add = reverse("wagtailsnippets_notices_letter:add")
    refused = drafter.post(add, letter_data(world.centre_a, recipient_mode="named",
                                            recipient_tenants=[world.tenant_a.pk, world.tenant_b.pk]))
    assert refused.status_code == 200 and not Letter.objects.exists()
    errors = " ".join(refused.context["form"].errors["recipient_tenants"])
    assert f"编号为 {world.tenant_b.pk} 的商户" in errors and "选择商户" in errors
    assert errors in refused.content.decode()
    assert "星芽童装" not in refused.content.decode()
    saved = drafter.post(add, letter_data(world.centre_a, recipient_mode="named", recipient_tenants=[world.tenant_a.pk]))
    assert saved.status_code == 302
    letter = Letter.objects.get()
    assert list(letter.recipient_tenants.all()) == [world.tenant_a]
    page = drafter.get(reverse("wagtailsnippets_notices_letter:edit", args=[letter.pk])).content.decode()
    assert f'<input type="hidden" name="recipient_tenants" value="{world.tenant_a.pk}">' in page


def test_units_are_chosen_by_id_and_kept_as_the_numbers_the_letter_prints(world, drafter):
    add = reverse("wagtailsnippets_notices_letter:add")
    unit_a2 = Unit.objects.get(centre=world.centre_a, number="2F-TA002")
    unit_b = Unit.objects.get(centre=world.centre_b)
    html = results(drafter, UNITS, centre=world.centre_a.pk, q="女装")
    assert "2F-TA002（2F）云裳女装" in html and "1F-TA001" not in html
    refused = drafter.post(add, letter_data(world.centre_a, recipient_mode="units",
                                            recipient_units=[unit_a2.pk, unit_b.pk]))
    assert refused.status_code == 200 and not Letter.objects.exists()
    assert "选择铺位" in " ".join(refused.context["form"].errors["recipient_units"])
    assert drafter.post(add, letter_data(world.centre_a, recipient_mode="units", recipient_units=["x"])
                        ).status_code == 200
    saved = drafter.post(add, letter_data(world.centre_a, recipient_mode="units", recipient_units=[unit_a2.pk]))
    assert saved.status_code == 302
    letter = Letter.objects.get()
    assert letter.recipient_units == ["2F-TA002"]
    page = drafter.get(reverse("wagtailsnippets_notices_letter:edit", args=[letter.pk])).content.decode()
    assert f'<input type="hidden" name="recipient_units" value="{unit_a2.pk}">' in page
    assert "2F-TA002（2F）云裳女装" in page


def test_the_live_count_previews_the_first_names_and_how_many_more(world, drafter, monkeypatch):
    from notices.admin import letters

    url = reverse("notices_letters:recipient_count", args=[world.centre_a.pk])
    monkeypatch.setattr(letters, "PREVIEW_NAMES", 1)
    answer = drafter.get(url, {"recipient_mode": "all"}).json()
    assert answer == {"count": 2, "names": ["蜀香火锅"], "more": 1, "text": "2 家商户：蜀香火锅……另有 1 家"}
    profile = UserProfile.get_for_user(world.drafter_a)
    profile.preferred_language = "en"
    profile.save()
    english = drafter.get(url, {"recipient_mode": "all"}).json()
    assert english["text"] == "2 tenants: 蜀香火锅 … and 1 more"
