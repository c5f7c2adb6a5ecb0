"""The letter form as the drafter uses it: one letter per draft, nothing
half-saved behind a refused file, working links in edit mode, and recipient
fields that fit the chosen mode."""

import pytest
from django.test import Client
from django.urls import reverse

from notices.models import Letter

from .letters import make_template

pytestmark = pytest.mark.django_db

BODY = ('{"blocks":[{"key":"a","text":"定于本周五下午三点进行消防演练。","type":"unstyled","depth":0,'
        '"inlineStyleRanges":[],"entityRanges":[]}],"entityMap":{}}')


def letter_data(centre, **extra):
    data = {"centre": centre.pk, "kind": "notice", "department": "safety", "title": "关于消防演练的通知",
            "addressee": "各位商户", "body": BODY, "recipient_mode": "all", "requires_receipt": "on",
            "remind_after_days": "1", "remind_every_days": "2", "remind_max": "5",
            "attachments-TOTAL_FORMS": "0", "attachments-INITIAL_FORMS": "0",
            "attachments-MIN_NUM_FORMS": "0", "attachments-MAX_NUM_FORMS": "1000"}
    data.update(extra)
    return data


@pytest.fixture
def drafter(world):
    make_template(world.centre_a)
    client = Client()
    client.force_login(world.drafter_a)
    return client


# --- one letter per draft --------------------------------------------------------------

def test_the_add_page_does_not_autosave_so_saving_the_draft_makes_one_letter(world, drafter):
    add = reverse("wagtailsnippets_notices_letter:add")
    page = drafter.get(add)
    assert page.status_code == 200
    assert 'data-controller="w-unsaved w-autosave"' not in page.content.decode()
    assert "w-autosave" not in page.content.decode().split("data-edit-form", 1)[1].split(">", 1)[0]

    # What the autosave script would send while the drafter types: refused.
    autosave = drafter.post(add, letter_data(world.centre_a), headers={"accept": "application/json"})
    assert autosave.status_code == 400 and autosave.json()["success"] is False
    assert not Letter.objects.exists()

    response = drafter.post(add, letter_data(world.centre_a))
    assert response.status_code == 302, response.content.decode()[-2000:]
    letter = Letter.objects.get()
    assert letter.drafter == world.drafter_a

    # On the edit page autosave works, always on that same letter.
    edit = reverse("wagtailsnippets_notices_letter:edit", args=[letter.pk])
    assert "w-autosave" in drafter.get(edit).content.decode()
    saved = drafter.post(edit, letter_data(world.centre_a, title="关于消防演练的通知（改）"),
                         headers={"accept": "application/json"})
    assert saved.status_code == 200 and saved.json()["success"] is True
    assert Letter.objects.count() == 1
    assert Letter.objects.get().latest_revision.as_object().title == "关于消防演练的通知（改）"
