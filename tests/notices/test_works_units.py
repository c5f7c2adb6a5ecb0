"""Works notices (4.12): recipients chosen by the affected units."""

import pytest
from django.urls import reverse

from notices.models import Delivery, Letter

from .delivery import stamped_letter
from .letters import make_template

pytestmark = pytest.mark.django_db

BODY = '{"blocks":[{"key":"a","text":"B1层管道检修","type":"unstyled","depth":0,"inlineStyleRanges":[],"entityRanges":[]}],"entityMap":{}}'


def test_a_works_notice_reaches_the_tenants_of_the_affected_units_only(world):
    letter = stamped_letter(world, kind="works", recipient_mode="units", recipient_units=["2F-TA002"])
    assert [d.tenant for d in Delivery.objects.filter(letter=letter)] == [world.tenant_a2]
    assert "2F-TA002" in letter.recipient_summary()


def _post(client, centre, units):
    return client.post(
        reverse("wagtailsnippets_notices_letter:add"),
        {"centre": centre.pk, "kind": "works", "department": "safety", "title": "关于管道检修的施工通知",
         "addressee": "各位商户", "body": BODY, "recipient_mode": "units", "recipient_units": units,
         "remind_after_days": 1, "remind_every_days": 2, "remind_max": 5,
         "attachments-TOTAL_FORMS": "0", "attachments-INITIAL_FORMS": "0"},
    )


def _unit(number):
    from tenants.models import Unit

    return Unit.objects.get(number=number).pk


def test_the_drafter_names_units_of_the_letters_own_centre(client, world):
    make_template(world.centre_a)
    client.force_login(world.drafter_a)
    response = _post(client, world.centre_a, [_unit("2F-TA002"), _unit("1F-TB001")])  # the second is centre B's
    assert response.status_code == 200 and not Letter.objects.exists()
    assert "选择铺位" in " ".join(response.context["form"].errors["recipient_units"])
    response = _post(client, world.centre_a, [_unit("2F-TA002"), _unit("1F-TA001")])
    assert response.status_code == 302, response.content.decode()[:500]
    assert sorted(Letter.objects.get().recipient_units) == ["1F-TA001", "2F-TA002"]
