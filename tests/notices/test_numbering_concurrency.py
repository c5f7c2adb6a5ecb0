"""Document numbers under concurrency: no gaps, no duplicates (run on
PostgreSQL in CI; SQLite serialises writers and must give the same answer)."""

import threading

import pytest
from django.db import connection, transaction

from notices.models import LetterStatus
from notices.services.letters import document_number_issue, letter_stamp

from .letters import decide, draft_letter, make_template, submit


def _in_threads(n, target):
    barrier = threading.Barrier(n)
    results, errors = [], []

    def run(i):
        try:
            barrier.wait(timeout=10)
            results.append(target(i))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_numbers_taken_at_the_same_moment_are_distinct_and_gapless(world):
    def take(_i):
        with transaction.atomic():
            return document_number_issue(centre=world.centre_a, year=2026)

    assert sorted(_in_threads(8, take)) == list(range(1, 9))


@pytest.mark.django_db(transaction=True)
def test_two_letters_stamped_at_the_same_moment_get_consecutive_numbers(world):
    make_template(world.centre_a)
    letters = []
    for i in range(2):
        letter = decide(submit(draft_letter(world.drafter_a, world.centre_a, title=f"并发测试{i}"), world.drafter_a), world.leader_a)
        # Approve the seal step without letting the chain stamp: this test stamps.
        from notices.models import Letter

        state = letter.current_workflow_state.current_task_state
        state.task.specific.on_action(state, world.seal_a, "approve")
        letters.append(Letter.objects.get(pk=letter.pk))
    assert {letter.status for letter in letters} <= {LetterStatus.APPROVED, LetterStatus.STAMPED}
    stamped = _in_threads(2, lambda i: letter_stamp(letter_id=letters[i].pk))
    assert sorted(s.doc_seq for s in stamped) == [1, 2]
    assert all(s.status == LetterStatus.STAMPED for s in stamped)
