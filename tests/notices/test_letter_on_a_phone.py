"""The letter on a phone: its pages are images made when it is stamped, shown
inline (no PDF downloaded per view), the PDF a tap away, hashes short with
the full value to copy; only the letter's own signatories get the images."""

import io
import re

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from PIL import Image

from notices.services.letter_pages import PAGE_IMAGE_WIDTH, letter_page_name
from tests.base import logged_in

from .delivery import delivery_of, letter_to_sign_within, stamped_letter  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

letter = letter_to_sign_within(days=5)


def _page(client, delivery, page=1):
    return client.get(reverse("notices_inbox:page", args=[delivery.pk, page]))


def test_stamping_makes_one_image_per_page(world, letter):
    assert letter.pdf_pages >= 1
    for page in range(1, letter.pdf_pages + 1):
        with default_storage.open(letter_page_name(letter, page), "rb") as fh:
            image = Image.open(io.BytesIO(fh.read()))
            assert image.format == "PNG" and image.width == PAGE_IMAGE_WIDTH
            assert image.height > image.width  # A4 portrait


def test_the_tenant_reads_the_pages_inline_and_the_pdf_is_a_tap_away(world, letter):
    delivery = delivery_of(letter, world.tenant_a)
    client = logged_in(world.signer_a)
    page = client.get(reverse("notices_inbox:letter", args=[delivery.pk])).content.decode()
    assert "<iframe" not in page, "no hidden frame downloading the PDF on every view"
    sources = re.findall(r'<img src="([^"]+)"', page)
    assert sources == [reverse("notices_inbox:page", args=[delivery.pk, n]) for n in range(1, letter.pdf_pages + 1)]
    assert f'href="{reverse("notices_inbox:pdf", args=[delivery.pk])}"' in page
    response = client.get(sources[0])
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_the_hash_is_short_with_the_full_value_to_copy(world, letter):
    delivery = delivery_of(letter, world.tenant_a)
    page = logged_in(world.signer_a).get(reverse("notices_inbox:letter", args=[delivery.pk])).content.decode()
    full = letter.pdf_sha256
    assert f"{full[:8]}…{full[-8:]}" in page
    assert f'data-copy="{full}"' in page and "复制完整值" in page
    # the full value appears only in attributes and the folded "show full value"
    assert page.count(f">{full}<") == 1


def test_a_missing_image_is_made_again_when_asked_for(world, letter):
    delivery = delivery_of(letter, world.tenant_a)
    default_storage.delete(letter_page_name(letter, 1))
    response = _page(logged_in(world.signer_a), delivery)
    assert response.status_code == 200
    assert default_storage.exists(letter_page_name(letter, 1))


def test_only_the_letters_signatories_get_its_pages(world, letter):
    delivery = delivery_of(letter, world.tenant_a)
    assert _page(logged_in(world.signer_b), delivery).status_code == 404
    assert _page(logged_in(world.nonsigner_a), delivery).status_code in (403, 404)
    assert _page(logged_in(world.signer_a), delivery, page=letter.pdf_pages + 1).status_code == 404
    assert _page(logged_in(world.signer_a), delivery, page=0).status_code == 404
    anonymous = _page(Client(), delivery)
    assert anonymous.status_code == 302
