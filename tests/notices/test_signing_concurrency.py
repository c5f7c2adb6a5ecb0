"""Two devices sign the same delivery at the same moment: exactly one receipt,
and the other is told clearly that it is signed already."""

import pytest
from django.db import connection

from notices.models import Receipt
from notices.services.receipts import AlreadySigned, receipt_sign
from notices.services.sign_codes import sign_code_send
from tests.base import PASSWORD

from .delivery import delivery_of, last_code, stamped_letter
from .test_numbering_concurrency import _in_threads


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_sign_requests_give_exactly_one_receipt(world):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises whole-database writes; row locks and races are exercised on PostgreSQL")
    letter = stamped_letter(world)
    delivery = delivery_of(letter, world.tenant_a)
    sign_code_send(delivery=delivery, user=world.signer_a, channel="email")  # commits: the task runs at once
    code = last_code(world.signer_a.email)

    def sign(i):
        try:
            kwargs = {"code": code} if i % 2 == 0 else {"password": PASSWORD}
            return receipt_sign(delivery=delivery, user=world.signer_a, pdf_sha256=delivery.pdf_sha256, **kwargs).pk
        except AlreadySigned as exc:
            return ("already", exc.receipt.pk)

    results = _in_threads(4, sign)
    receipts = list(Receipt.objects.filter(delivery=delivery))
    assert len(receipts) == 1
    winners = [r for r in results if not isinstance(r, tuple)]
    assert winners == [receipts[0].pk]
    assert sorted(r for r in results if isinstance(r, tuple)) == [("already", receipts[0].pk)] * 3
