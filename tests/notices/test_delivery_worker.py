"""A real worker is killed in the middle of a 1,000-tenant fan-out and
restarted: every tenant ends with exactly one delivery, none missing."""

from datetime import timedelta

import pytest

from notices.models import Delivery, DeliveryState, Letter, LetterStatus
from notices.services.delivery import letters_stuck_in_delivery
from notices.tasks import deliver_letter_task
from tenants.models import Contact, Tenant
from tests.fixtures.worker import tasks_to_the_broker

from .letters import decide, draft_letter, make_template, submit

N_TENANTS = 1000
# Small chunks: the fan-out takes many tasks, so the kill lands in the middle.
SMALL_CHUNKS = {"ATRIUM_DELIVERY_CHUNK": "20"}


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_fan_out_and_restarted_leaves_one_delivery_per_tenant(world, start_worker):
    tenants = Tenant.objects.bulk_create(
        Tenant(centre=world.centre_a, code=f"W{i:04d}", trading_name=f"商户{i}", legal_name=f"杭州商户{i}有限公司",
               category="retail", tier="3")
        for i in range(N_TENANTS)
    )
    Contact.objects.bulk_create(
        Contact(tenant=t, name=f"店长{t.code}", email=f"{t.code.lower()}@shops.test", may_sign=True) for t in tenants
    )
    expected = set(Tenant.objects.filter(centre=world.centre_a).values_list("pk", flat=True))
    make_template(world.centre_a)
    letter = decide(submit(draft_letter(world.drafter_a, world.centre_a, recipient_mode="all"), world.drafter_a),
                    world.leader_a)
    worker = start_worker(**SMALL_CHUNKS)
    with tasks_to_the_broker():
        state = letter.current_workflow_state.current_task_state
        state.task.specific.on_action(state, world.seal_a, "approve")  # stamping and delivery: in the worker
    notified = Delivery.objects.filter(letter=letter, notified_at__isnull=False)
    worker.wait_for(lambda: notified.exists(), timeout=120, what="the first notifications")
    worker.kill()
    at_kill = notified.count()
    assert 0 < at_kill < len(expected), f"the kill did not land mid fan-out ({at_kill} notified)"
    assert Delivery.objects.filter(letter=letter).count() == len(expected)  # created in one transaction

    # The killed worker's claims are taken over at once (ATRIUM_NOTIFY_CLAIM_MINUTES).
    worker = start_worker(**SMALL_CHUNKS, ATRIUM_NOTIFY_CLAIM_MINUTES="0.01")
    # What the periodic sweep does, without waiting for it.
    with tasks_to_the_broker():
        stuck = list(letters_stuck_in_delivery(older_than=timedelta(0)).values_list("pk", flat=True))
        assert stuck == [letter.pk]
        for letter_id in stuck:
            deliver_letter_task.delay(letter_id)
    worker.wait_for(lambda: Letter.objects.get(pk=letter.pk).delivery_state == DeliveryState.DELIVERED, timeout=180,
                    what="the letter to be delivered")
    worker.stop()
    letter.refresh_from_db()
    assert letter.status == LetterStatus.STAMPED
    deliveries = list(Delivery.objects.filter(letter=letter).values_list("tenant_id", "notified_at"))
    assert len(deliveries) == len(expected) and {t for t, _n in deliveries} == expected
    assert all(n is not None for _t, n in deliveries)
