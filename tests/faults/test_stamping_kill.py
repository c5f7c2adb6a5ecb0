"""A worker killed while it seals a letter: the letter stays "stamping" with
its number until the sweep hands it to another worker, which stamps it with
that same number. Three letters: one stamped before the kill, one killed
mid-seal (held at the timestamp server), one still queued."""

import time

import pytest
from django.utils import timezone

from notices.models import (
    DocumentSequence,
    Letter,
    LetterStatus,
    LetterTemplate,
    SealUse,
)
from notices.tasks import stamp_letter_task, sweep_stuck_letters
from portal.models import AuditEvent
from tests.faults.conftest import beat
from tests.fixtures.worker import tasks_to_the_broker
from tests.notices.letters import decide, draft_letter, make_template, submit

STUCK_MINUTES = 0.1  # the worker's ATRIUM_STAMPING_STUCK_MINUTES: 6 s
SWEEP_EVERY = 1.0  # seconds between sweeps (ATRIUM_RECOVERY_SWEEP_MINUTES, scaled down)


def _approved_by_the_leader(world, n: int) -> list[Letter]:
    letters = []
    for i in range(n):
        letter = draft_letter(world.drafter_a, world.centre_a, title=f"关于第{i + 1}次消防检查的通知")
        letters.append(decide(submit(letter, world.drafter_a), world.leader_a))
    return letters


def _status(letter) -> str:
    return Letter.objects.values_list("status", flat=True).get(pk=letter.pk)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_sealing_leaves_a_letter_the_sweep_stamps_once_with_its_number(
        world, start_worker, tsa, figures):
    template = make_template(world.centre_a)
    LetterTemplate.objects.filter(pk=template.pk).update(timestamp_url=tsa.url)
    letters = _approved_by_the_leader(world, 3)
    env = {"ATRIUM_STAMPING_STUCK_MINUTES": str(STUCK_MINUTES)}
    worker = start_worker(**env)
    with tasks_to_the_broker():
        for letter in letters:  # the seal keeper's approval queues the stamping, for the worker
            state = letter.current_workflow_state.current_task_state
            state.task.specific.on_action(state, world.seal_a, "approve")

    worker.wait_for(lambda: any(_status(x) == LetterStatus.STAMPED for x in letters), timeout=120,
                    what="the first letter to be stamped")
    tsa.gate.close()
    worker.wait_for(lambda: tsa.gate.held, timeout=120, what="the worker to ask the timestamp server")
    killed_at = worker.kill()
    stuck = Letter.objects.get(status=LetterStatus.STAMPING)  # claimed, numbered, not stamped
    assert stuck.doc_number and not stuck.pdf
    tsa.gate.open()

    worker = start_worker(**env)
    worker.wait_ready()
    beat(worker, sweep_stuck_letters, every=SWEEP_EVERY,
         until=lambda: all(_status(x) == LetterStatus.STAMPED for x in letters), what="every letter stamped")
    recovered = Letter.objects.get(pk=stuck.pk)
    recovery = time.monotonic() - killed_at
    since_claim = (recovered.stamped_at - stuck.stamping_started_at).total_seconds()
    worker.stop()

    # Stamped once, each with one number: 1, 2, 3 of the year, none skipped or repeated.
    assert recovered.doc_number == stuck.doc_number and recovered.doc_seq == stuck.doc_seq
    year = timezone.localdate().year
    assert sorted(Letter.objects.filter(pk__in=[x.pk for x in letters]).values_list("doc_seq", flat=True)) == [1, 2, 3]
    assert DocumentSequence.objects.get(centre=world.centre_a, year=year).last == 3
    for letter in letters:
        assert SealUse.objects.filter(letter=letter).count() == 1
        assert AuditEvent.objects.for_object(letter).filter(action="seal.used").count() == 1
    # Recovered by the sweep, not before its threshold, and well within its bound.
    threshold, limit = STUCK_MINUTES * 60, stamp_letter_task.time_limit
    assert since_claim >= threshold
    bound = threshold + SWEEP_EVERY + limit
    figures(f"stamping recovered {recovery:.1f} s after the kill ({since_claim:.1f} s after its claim); "
            f"bound {bound:.0f} s = threshold {threshold:.0f} s + sweep every {SWEEP_EVERY:.0f} s "
            f"+ time limit {limit} s")
    assert recovery < bound
