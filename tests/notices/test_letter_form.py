"""The letter form as the drafter uses it: one letter per draft, nothing
half-saved behind a refused file, working links in edit mode, and recipient
fields that fit the chosen mode."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from notices.models import Letter
from tests.base import PDF_BYTES, PNG_BYTES

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


# --- a refused file leaves nothing half-saved -----------------------------------------

EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def _with_attachments(centre, *files):
    data = letter_data(centre, **{"attachments-TOTAL_FORMS": str(len(files))})
    for i, (title, upload) in enumerate(files):
        data.update({f"attachments-{i}-title": title, f"attachments-{i}-file": upload,
                     f"attachments-{i}-ORDER": str(i + 1), f"attachments-{i}-id": ""})
    return data


@pytest.mark.parametrize(("name", "content", "message"), [
    ("fees.pdf", EXE_BYTES, "不接受该文件类型"),  # a program renamed .pdf
    ("fees.pdf", b"", "空文件"),  # nothing uploaded under the name
    ("fees.pdf", b"%PDF", "不接受该文件类型"),  # cut short: not even a PDF header
])
def test_a_refused_attachment_leaves_no_letter_and_says_why_on_the_field(world, drafter, name, content, message):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from notices.models import LetterAttachment

    good = SimpleUploadedFile("plan.png", PNG_BYTES)
    bad = SimpleUploadedFile(name, content)
    response = drafter.post(reverse("wagtailsnippets_notices_letter:add"),
                            _with_attachments(world.centre_a, ("平面图", good), ("收费标准表", bad)))
    assert response.status_code == 200
    assert not Letter.objects.exists() and not LetterAttachment.objects.exists()
    forms = response.context["form"].formsets["attachments"].forms
    assert not forms[0].errors
    assert message in " ".join(forms[1].errors["file"])
    assert message in response.content.decode()


def test_an_autosave_with_a_refused_attachment_changes_nothing_on_the_letter(world, drafter):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from notices.models import LetterAttachment

    assert drafter.post(reverse("wagtailsnippets_notices_letter:add"), letter_data(world.centre_a)).status_code == 302
    letter = Letter.objects.get()
    data = _with_attachments(world.centre_a, ("收费标准表", SimpleUploadedFile("fees.pdf", EXE_BYTES)))
    data["title"] = "改过的标题"
    edit = reverse("wagtailsnippets_notices_letter:edit", args=[letter.pk])
    autosave = drafter.post(edit, data, headers={"accept": "application/json"})
    assert autosave.status_code == 400 and autosave.json()["success"] is False
    assert not LetterAttachment.objects.exists()
    letter.refresh_from_db()
    assert letter.title == "关于消防演练的通知" and letter.latest_revision.as_object().title == "关于消防演练的通知"


# --- every link works in edit mode ---------------------------------------------------

def test_every_attachment_link_on_the_edit_page_is_the_access_checked_download(world, drafter):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from notices.models import LetterAttachment

    files = [("平面图", SimpleUploadedFile("平面图.png", PNG_BYTES)),
             ("收费标准表", SimpleUploadedFile("fees.pdf", PDF_BYTES))]
    assert drafter.post(reverse("wagtailsnippets_notices_letter:add"),
                        _with_attachments(world.centre_a, *files)).status_code == 302
    letter = Letter.objects.get()
    page = drafter.get(reverse("wagtailsnippets_notices_letter:edit", args=[letter.pk])).content.decode()
    assert "/media/" not in page
    links = re.findall(r'href="(/admin/letters/\d+/attachments/\d+/)"', page)
    expected = [reverse("notices_letters:attachment", args=[letter.pk, a.pk])
                for a in LetterAttachment.objects.filter(letter=letter).order_by("sort_order")]
    assert links == expected
    assert "平面图.png" in page
    other = Client()
    other.force_login(world.ops_b)
    for link in links:
        assert drafter.get(link).status_code == 200
        assert other.get(link).status_code in (403, 404)


# --- the recipient fields fit the mode -------------------------------------------------

def test_the_recipient_modes_and_fields_say_what_they_are_in_chinese(world, drafter):
    from tests.factories import UnitFactory

    UnitFactory(centre=world.centre_a, floor=-1, tenant=world.tenant_a)
    UnitFactory(centre=world.centre_b, floor=5)  # another centre's floor is not offered
    page = drafter.get(reverse("wagtailsnippets_notices_letter:add"))
    form = page.context["form"]
    modes = dict(form.fields["recipient_mode"].choices)
    assert str(modes["units"]) == "受影响铺位的商户" and str(modes["all"]) == "本中心全部商户"
    assert len({str(label) for label in modes.values()}) == len(modes)
    assert str(form.fields["recipient_units"].help_text).startswith("在所选铺位经营的商户")
    assert [(v, str(label)) for v, label in form.fields["recipient_floors"].choices] == [(-1, "B1"), (1, "1F"), (2, "2F")]
    html = page.content.decode()
    assert 'type="checkbox" name="recipient_floors" value="-1"' in html
    assert 'data-field-name="recipient_tenants"' in html  # chosen in a searchable chooser, not ctrl-clicked
    assert "notices/letter_form.js" in html and "data-recipient-count-url" in html


def test_the_drafter_ticks_floors_and_the_letter_keeps_them_as_numbers(world, drafter):
    response = drafter.post(reverse("wagtailsnippets_notices_letter:add"),
                            letter_data(world.centre_a, recipient_mode="floor", recipient_floors=["2"]))
    assert response.status_code == 302, response.content.decode()[-2000:]
    letter = Letter.objects.get()
    assert letter.recipient_floors == [2] and "2F" in letter.recipient_summary()
    page = drafter.get(reverse("wagtailsnippets_notices_letter:edit", args=[letter.pk])).content.decode()
    ticked = re.findall(r'<input[^>]*name="recipient_floors" value="(-?\d+)"[^>]*checked>', page)
    assert ticked == ["2"]
    refused = drafter.post(reverse("wagtailsnippets_notices_letter:add"),
                           letter_data(world.centre_a, recipient_mode="floor", recipient_floors=["7"]))
    assert refused.status_code == 200 and Letter.objects.count() == 1


def test_the_live_count_counts_the_recipients_for_staff_of_the_centre_only(world, drafter):
    url = reverse("notices_letters:recipient_count", args=[world.centre_a.pk])
    assert drafter.get(url, {"recipient_mode": "all"}).json()["count"] == 2
    assert drafter.get(url, {"recipient_mode": "tier", "recipient_tiers": ["1"]}).json() == {
        "count": 1, "names": ["蜀香火锅"], "more": 0, "text": "1 家商户：蜀香火锅"}
    assert drafter.get(url, {"recipient_mode": "floor", "recipient_floors": ["2", "x", "--1", "٣"]}).json()["count"] == 1
    from tenants.models import Unit

    units = list(Unit.objects.filter(number__in=["2F-TA002", "1F-TA001", "1F-TB001"]).values_list("pk", flat=True))
    assert drafter.get(url, {"recipient_mode": "units", "recipient_units": [*units, "x"]}).json()["count"] == 2
    named = {"recipient_mode": "named", "recipient_tenants": [world.tenant_a.pk, world.tenant_b.pk, "x", "9" * 40]}
    assert drafter.get(url, named).json()["count"] == 1  # centre B's tenant is not counted
    for person in (world.ops_b, world.signer_a):
        other = Client()
        other.force_login(person)
        assert other.get(url, {"recipient_mode": "all"}).status_code in (302, 403, 404)
    assert Client().get(url).status_code == 302


# --- the 版记 ----------------------------------------------------------------------------

def test_the_colophon_fields_are_drafted_with_the_letter_and_reach_the_render(world, drafter):
    from notices.models import LetterTemplate
    from notices.services.letters import _context

    template = LetterTemplate.objects.get(centre=world.centre_a)
    page = drafter.get(reverse("wagtailsnippets_notices_letter:add"))
    form = page.context["form"]
    assert form.initial["printed_by"] == template.signatory_name  # as every letter printed before
    assert str(form.fields["copy_to"].label) == "抄送" and "版记" in str(form.fields["copy_to"].help_text)
    html = page.content.decode()
    assert "版记" in html and 'name="copy_to"' in html and 'name="printed_by"' in html
    response = drafter.post(reverse("wagtailsnippets_notices_letter:add"),
                            letter_data(world.centre_a, copy_to="朝阳区消防救援支队", printed_by=""))
    assert response.status_code == 302
    letter = Letter.objects.get()
    context = _context(letter, template)
    assert (context.copy_to, context.printed_by) == ("朝阳区消防救援支队", "")
