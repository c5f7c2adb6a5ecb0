"""A real worker is killed in the middle of a 1,000-tenant fan-out and
restarted: every tenant ends with exactly one delivery, none missing."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings

from notices.delivery import letters_stuck_in_delivery
from notices.models import Delivery, DeliveryState, Letter, LetterStatus
from notices.tasks import deliver_letter_task
from portal.celery import app as celery_app
from tenants.models import Contact, Tenant
from tests.portal.test_worker import ROOT, _database_url

from .letters import decide, draft_letter, make_template, submit

N_TENANTS = 1000


def _start_worker(log_path: Path) -> tuple[subprocess.Popen, object]:
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "portal.settings.dev", "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL, "ATRIUM_VAR_DIR": str(settings.VAR_DIR),
        "EMAIL_BACKEND": "file", "DEBUG": "0",
        # Small chunks: the fan-out takes many tasks, so the kill lands in the middle.
        "ATRIUM_DELIVERY_CHUNK": "20",
    })
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    log = open(log_path, "a+")  # noqa: SIM115 - closed by the caller
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "celery"), "-A", "portal", "worker", "--pool=solo", "--loglevel=INFO",
         "--without-heartbeat", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    return process, log


def _stop(process, log):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
    log.close()


def _wait(condition, timeout, process, log, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        assert process.poll() is None, "worker died: " + (log.seek(0) or log.read())
        time.sleep(0.1)
    log.seek(0)
    raise AssertionError(f"timed out waiting for {what}; worker log:\n{log.read()[-5000:]}")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_fan_out_and_restarted_leaves_one_delivery_per_tenant(world, tmp_path):
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
    process, log = _start_worker(tmp_path / "worker.log")
    try:
        celery_app.conf.task_always_eager = False
        try:
            state = letter.current_workflow_state.current_task_state
            state.task.specific.on_action(state, world.seal_a, "approve")  # stamping and delivery: in the worker
        finally:
            celery_app.conf.task_always_eager = True
        notified = Delivery.objects.filter(letter=letter, notified_at__isnull=False)
        _wait(lambda: notified.exists(), 120, process, log, "the first notifications")
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        at_kill = notified.count()
        assert 0 < at_kill < len(expected), f"the kill did not land mid fan-out ({at_kill} notified)"
        assert Delivery.objects.filter(letter=letter).count() == len(expected)  # created in one transaction
    finally:
        _stop(process, log)

    process, log = _start_worker(tmp_path / "worker.log")
    try:
        # What the periodic sweep does, without waiting for it.
        celery_app.conf.task_always_eager = False
        try:
            stuck = list(letters_stuck_in_delivery(older_than=timedelta(0)).values_list("pk", flat=True))
            assert stuck == [letter.pk]
            for letter_id in stuck:
                deliver_letter_task.delay(letter_id)
        finally:
            celery_app.conf.task_always_eager = True
        _wait(lambda: Letter.objects.get(pk=letter.pk).delivery_state == DeliveryState.DELIVERED, 180, process, log,
              "the letter to be delivered")
    finally:
        _stop(process, log)
    letter.refresh_from_db()
    assert letter.status == LetterStatus.STAMPED
    deliveries = list(Delivery.objects.filter(letter=letter).values_list("tenant_id", "notified_at"))
    assert len(deliveries) == len(expected) and {t for t, _n in deliveries} == expected
    assert all(n is not None for _t, n in deliveries)
