"""My letters in keyset pages: every letter reached once, in the inbox's
order, by the next and previous links; a page link that cannot be read gives
the first page and says so, never an error; a cursor never reaches another
tenant's letters."""

import base64
import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notices.models import Delivery, Letter, Receipt
from notices.selectors import INBOX_PAGE_SIZE, inbox_page, inbox_to_sign_for
from portal.keyset import BadCursor
from tests.fixtures.shared_world import on_world

from .delivery import delivery_of, stamped_letter

HISTORY = INBOX_PAGE_SIZE * 2 + 7


def _history(letter: Letter, tenant, n: int) -> list[Delivery]:
    """`n` older stamped letters to `tenant`, made in bulk from `letter`
    (stamping each would take minutes): every third still to be signed, some
    at the same minute, so the id must break ties."""
    now = timezone.now()
    fields = {f.attname: getattr(letter, f.attname) for f in Letter._meta.concrete_fields if not f.primary_key}
    made = []
    for i in range(n):
        copy = Letter(**{**fields, "doc_seq": 1000 + i, "doc_number": f"历史〔{i}〕号", "title": f"历史通知{i}",
                         "requires_receipt": i % 3 == 0, "sign_by": None if i % 2 else letter.sign_by,
                         "latest_revision_id": None, "live_revision_id": None})
        made.append(copy)
    made = Letter.objects.bulk_create(made)
    return Delivery.objects.bulk_create([
        Delivery(letter=copy, tenant=tenant, centre=tenant.centre, pdf_sha256=letter.pdf_sha256,
                 created_at=now - timedelta(minutes=1 + i // 2), awaiting_receipt=copy.requires_receipt)
        for i, copy in enumerate(made)
    ])


def _inbox(world):
    letter = stamped_letter(world, sign_by=timezone.localdate() + timedelta(days=5))
    _history(letter, world.tenant_a, HISTORY)
    return letter


inbox = on_world("inbox", _inbox)  # built once for the tests around one (tests/fixtures/shared_world.py)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _walk(client, start_url):
    """Follow the next links from `start_url`: every page's items and response."""
    pages, url = [], start_url
    while url:
        response = client.get(url)
        assert response.status_code == 200
        pages.append(response)
        cursor = response.context["page"].next_cursor
        url = f"{start_url}?after={cursor}" if cursor else None
    return pages


def _expected_order(world):
    """The inbox's order, computed plainly over every row."""
    rows = Delivery.objects.filter(tenant=world.tenant_a).select_related("letter")
    far = timezone.localdate() + timedelta(days=10_000)

    def key(d):
        if d.awaiting_receipt:
            return (0 if d.letter.sign_by else 1, d.letter.sign_by or far, -d.created_at.timestamp(), -d.pk)
        return (2, far, -d.created_at.timestamp(), -d.pk)

    return [d.pk for d in sorted(rows, key=key)]


def test_the_next_links_reach_every_letter_once_in_the_inbox_order(world, inbox):
    url = reverse("notices_inbox:inbox")
    pages = _walk(_client(world.signer_a), url)
    seen = [d.pk for response in pages for d in response.context["items"]]
    assert len(pages) == 3 and seen == _expected_order(world)
    first = pages[0]
    assert first.context["items"][0].letter == inbox  # the one due soonest, to sign
    body = first.content.decode()
    assert "下一页" in body and "上一页" not in body
    assert "上一页" in pages[-1].content.decode() and "下一页" not in pages[-1].content.decode()


def test_the_previous_link_goes_back_to_exactly_the_page_before(world, inbox):
    client = _client(world.signer_a)
    url = reverse("notices_inbox:inbox")
    pages = _walk(client, url)
    for earlier, later in zip(pages, pages[1:], strict=False):
        back = client.get(url, {"before": later.context["page"].previous_cursor})
        assert [d.pk for d in back.context["items"]] == [d.pk for d in earlier.context["items"]]
    first_again = client.get(url, {"before": pages[1].context["page"].previous_cursor})
    assert first_again.context["page"].previous_cursor is None


def _token(payload) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


BAD_CURSORS = [
    "not-a-cursor", "%%%", "eyJ", _token({"a": 1}), _token([7, [1]]), _token([0, ["x", "y", "z"]]),
    _token([2, [None, 1]]), _token([-1, ["2026-01-01", 3]]), _token([2, ["2026-01-01T00:00:00+00:00"]]),
]


def test_a_page_link_that_cannot_be_read_gives_the_first_page_and_says_so(world, inbox):
    # Every bad link in both directions on one inbox: stamping its letter
    # takes a second, the requests milliseconds.
    first_page = _expected_order(world)[:INBOX_PAGE_SIZE]
    for direction in ("after", "before"):
        for cursor in BAD_CURSORS:
            response = _client(world.signer_a).get(reverse("notices_inbox:inbox"), {direction: cursor})
            assert response.status_code == 200, (direction, cursor)
            assert [d.pk for d in response.context["items"]] == first_page, (direction, cursor)
            assert "无法识别该分页链接" in response.content.decode(), (direction, cursor)


def test_a_cursor_from_one_tenant_does_not_reach_another_tenants_letters(world, inbox):
    cursor = _client(world.signer_a).get(reverse("notices_inbox:inbox")).context["page"].next_cursor
    other = _client(world.signer_b).get(reverse("notices_inbox:inbox"), {"after": cursor})
    assert other.status_code == 200
    assert not [d for d in other.context["items"] if d.tenant_id != world.tenant_b.pk]
    assert _client(world.nonsigner_a).get(reverse("notices_inbox:inbox"), {"after": cursor}).status_code == 403


def test_a_recorded_receipt_moves_the_letter_out_of_letters_to_sign(world, inbox):
    delivery = delivery_of(inbox, world.tenant_a)
    assert delivery.awaiting_receipt and delivery in inbox_to_sign_for(world.signer_a)
    Receipt.objects.create(delivery=delivery, letter=inbox, tenant=world.tenant_a, method="password",
                           signer=world.signer_a, signer_name="店长", signed_at=timezone.now(), pdf_sha256="0" * 64)
    delivery.refresh_from_db()
    assert not delivery.awaiting_receipt and delivery not in inbox_to_sign_for(world.signer_a)
    home = _client(world.signer_a).get(reverse("portal:tenant_home")).content.decode()
    assert inbox.title not in home
    pages = _walk(_client(world.signer_a), reverse("notices_inbox:inbox"))
    assert [d.pk for r in pages for d in r.context["items"]] == _expected_order(world)  # still listed, as signed


def test_the_tenant_home_lists_letters_to_sign_soonest_due_first(world, inbox):
    items = inbox_to_sign_for(world.signer_a, limit=5)
    assert items[0].letter == inbox and all(d.awaiting_receipt for d in items)
    assert [d.pk for d in items] == _expected_order(world)[:5]


def test_the_selector_refuses_a_token_it_did_not_make(world, inbox):
    with pytest.raises(BadCursor):
        inbox_page(world.signer_a, after=_token([0, ["2026-01-01"]]))
