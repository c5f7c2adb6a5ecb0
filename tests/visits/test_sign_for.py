"""The sign-for target (R26): receipts ÷ deliveries of letters that ask for
one, per centre, with the unsigned tenants behind it."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notices.models import Delivery
from notices.selectors import receipt_figures
from notices.services.receipts import receipt_sign
from tests.notices.delivery import delivery_of, stamped_letter
from visits.selectors import targets as t

pytestmark = pytest.mark.django_db


def _sign(delivery: Delivery, user) -> None:
    receipt_sign(delivery=delivery, user=user, pdf_sha256=delivery.pdf_sha256, password="correct horse battery staple")


def test_the_sign_for_rate_counts_receipts_of_letters_that_ask_for_one(world):
    letter = stamped_letter(world, sign_by=timezone.localdate() + timedelta(days=5))
    stamped_letter(world, requires_receipt=False)  # a notice nobody signs for is not counted
    _sign(delivery_of(letter, world.tenant_a), world.signer_a)

    period = t.period_for(timezone.localdate().year)
    figure = t.sign_for([world.centre_a.pk, world.centre_b.pk], period)

    assert (figure.met, figure.total) == (1, 2)  # tenant_a signed, tenant_a2 did not
    assert figure.by["centre"] == {world.centre_a.pk: (1, 2)}
    # The letter's drafter owns its sign-for; the tenant's tier and the month of delivery split it too.
    assert figure.by["staff"] == {letter.drafter_id: (1, 2)}
    assert figure.by["month"] == {timezone.localdate().month: (1, 2)}
    assert sum(n for _m, n in figure.by["tier"].values()) == 2
    [row] = receipt_figures(centres=[world.centre_a.pk], start=period.start, end=period.end)
    assert row["hours_to_sign"] is not None and row["hours_to_sign"] >= 0


def test_the_drill_down_lists_the_tenants_who_have_not_signed(world):
    letter = stamped_letter(world, sign_by=timezone.localdate() + timedelta(days=5))
    _sign(delivery_of(letter, world.tenant_a), world.signer_a)
    client = Client()
    client.force_login(world.manager)
    response = client.get(reverse("visits_dashboard:drill", args=["unsigned"]))
    body = response.content.decode()
    assert response.status_code == 200
    assert world.tenant_a2.trading_name in body
    assert world.tenant_a.trading_name not in body
    # Narrowed to the drafter from the dashboard's staff table: the same list; to another person: nobody.
    drill = reverse("visits_dashboard:drill", args=["unsigned"])
    narrowed = client.get(f"{drill}?staff={letter.drafter_id}").content.decode()
    assert world.tenant_a2.trading_name in narrowed and str(letter.drafter) in narrowed
    assert world.tenant_a2.trading_name not in client.get(f"{drill}?staff={world.ops_a.pk}").content.decode()
    assert client.get(f"{drill}?staff=x%00&tier=nonsense").status_code == 200
    client.force_login(world.ops_b)  # staff of the other centre see none of centre A's
    assert world.tenant_a2.trading_name not in client.get(reverse("visits_dashboard:drill", args=["unsigned"])).content.decode()
