"""The evidence chain against a database administrator.

Each test acts as someone who can write the database but does not hold
ATRIUM_AUDIT_KEY: raw SQL through `connection.cursor()` (the ORM's
append-only guards do not stop a DBA), hashes recomputed with the code's own
algorithm, the chain head rewritten to match. `verify_audit` must still see
it, and name exactly the first event that differs."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from portal.audit import audit_record
from portal.audit_verify import audit_verify_chain
from portal.models import AuditChainHead, AuditEvent
from portal.models.audit import GENESIS_HASH
from tests.portal import committed_evidence

pytestmark = pytest.mark.django_db

EVENTS = AuditEvent._meta.db_table
HEAD = AuditChainHead._meta.db_table


@pytest.fixture
def anchor_dir(settings, tmp_path):
    settings.ATRIUM_AUDIT_ANCHOR_DIR = tmp_path / "anchors"
    return settings.ATRIUM_AUDIT_ANCHOR_DIR


@pytest.fixture
def chain(world, anchor_dir, django_capture_on_commit_callbacks):
    """Four evidence events, each committed (so each was anchored)."""
    return committed_evidence(world, django_capture_on_commit_callbacks, count=4)


def _dba(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _head_row() -> dict:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {HEAD} WHERE id = 1")
        columns = [c[0] for c in cursor.description]
        return dict(zip(columns, cursor.fetchone(), strict=True))


def _dba_rechain() -> None:
    """What a DBA who has read the source does after an edit or a delete:
    recompute every evidence hash in order, then the head."""
    prev = GENESIS_HASH
    rows = list(AuditEvent.objects.filter(evidence=True).order_by("id"))
    for row in rows:
        row.prev_hash = prev
        digest = row.compute_hash()
        _dba(f"UPDATE {EVENTS} SET prev_hash = %s, hash = %s WHERE id = %s", [prev, digest, row.pk])
        prev = digest
    _dba(f"UPDATE {HEAD} SET last_hash = %s, length = %s WHERE id = 1", [prev, len(rows)])


def _verdict() -> str:
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit")
    return str(failure.value)


def test_an_intact_chain_passes_and_says_so_first(chain, capsys):
    assert audit_verify_chain().ok
    call_command("verify_audit")
    first_line = capsys.readouterr().out.splitlines()[0]
    assert first_line.startswith("Audit chain intact: 4 evidence events")


def test_a_row_edited_with_every_hash_and_the_head_recomputed_is_named(chain):
    _dba(f"UPDATE {EVENTS} SET details = %s WHERE id = %s", [json.dumps({"n": 99}), chain[1].pk])
    _dba_rechain()

    report = audit_verify_chain()
    assert not report.ok
    assert report.broken_at.pk == chain[1].pk
    verdict = _verdict()
    assert verdict.splitlines()[0].startswith("Audit chain BROKEN")
    assert f"event id={chain[1].pk} (position 2) was altered" in verdict.splitlines()[0]


def test_an_altered_row_is_named_exactly(chain):
    _dba(f"UPDATE {EVENTS} SET object_repr = %s WHERE id = %s", ["forged", chain[2].pk])
    report = audit_verify_chain()
    assert report.broken_at.pk == chain[2].pk
    assert f"event id={chain[2].pk} (position 3) was altered" in _verdict()


def test_a_deleted_middle_row_is_named_by_its_position(chain):
    _dba(f"DELETE FROM {EVENTS} WHERE id = %s", [chain[1].pk])
    verdict = _verdict()
    assert f"event with position 2 (after id={chain[0].pk}) is missing" in verdict.splitlines()[0]
    assert "1 events verified before it" in verdict


def test_a_deleted_middle_row_is_named_even_after_the_dba_recomputes_the_chain(chain):
    _dba(f"DELETE FROM {EVENTS} WHERE id = %s", [chain[1].pk])
    _dba_rechain()
    verdict = _verdict()
    # The row after the gap now carries hashes the key never authenticated.
    assert f"event id={chain[2].pk}" in verdict.splitlines()[0]


def test_deleting_the_newest_row_and_rewinding_the_head_is_caught(chain):
    _dba(f"DELETE FROM {EVENTS} WHERE id = %s", [chain[-1].pk])
    _dba(f"UPDATE {HEAD} SET last_hash = %s, length = %s WHERE id = 1", [chain[-2].hash, 3])
    assert not audit_verify_chain().ok
    assert "Audit chain BROKEN" in _verdict()


def test_rewinding_to_an_older_head_the_dba_saved_is_caught_by_the_anchor_file(
    world, anchor_dir, django_capture_on_commit_callbacks
):
    for i in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            audit_record(actor=world.seal_a, action="seal.used", obj=world.tenant_a, details={"n": i}, evidence=True)
    saved = _head_row()  # the DBA keeps a copy of the head as it was (MAC and all)
    with django_capture_on_commit_callbacks(execute=True):
        newest = audit_record(actor=world.seal_a, action="seal.used", obj=world.tenant_a, details={"n": 3}, evidence=True)

    _dba(f"DELETE FROM {EVENTS} WHERE id = %s", [newest.pk])
    assignments = ", ".join(f"{column} = %s" for column in saved if column != "id")
    _dba(f"UPDATE {HEAD} SET {assignments} WHERE id = 1", [v for c, v in saved.items() if c != "id"])

    verdict = _verdict().splitlines()[0]
    assert "the anchor" in verdict and "recorded length 4 but the database has 3" in verdict


def test_deleting_the_newest_row_but_leaving_the_head_names_the_missing_position(chain):
    _dba(f"DELETE FROM {EVENTS} WHERE id = %s", [chain[-1].pk])
    assert f"event with position 4 (after id={chain[2].pk}) is missing" in _verdict()


def test_a_line_appended_to_the_anchor_file_without_the_key_is_refused(chain, anchor_dir):
    anchors = anchor_dir / "anchors.jsonl"
    line = json.loads(anchors.read_text().splitlines()[-1])
    line.update(length=9, mac="0" * 64)
    with anchors.open("a") as handle:
        handle.write(json.dumps(line) + "\n")
    assert "anchor file line 5" in _verdict()


def test_a_removed_anchor_file_is_a_problem_while_the_chain_has_events(
    chain, world, anchor_dir, django_capture_on_commit_callbacks
):
    (anchor_dir / "anchors.jsonl").unlink()
    assert "no anchor file" in _verdict()
    # The next event does not quietly start a new file that anchors nothing of the past.
    with django_capture_on_commit_callbacks(execute=True):
        audit_record(actor=world.seal_a, action="seal.used", obj=world.tenant_a, evidence=True)
    assert not (anchor_dir / "anchors.jsonl").exists()
    assert "no anchor file" in _verdict()


def test_a_checkpoint_anchors_the_head_of_a_chain_that_verifies(world, anchor_dir, capsys):
    # Events recorded in a transaction that is never committed in this test
    # are not anchored; a checkpoint anchors the verified head.
    for i in range(2):
        audit_record(actor=world.seal_a, action="seal.used", obj=world.tenant_a, details={"n": i}, evidence=True)
    assert "no anchor file" in _verdict()
    call_command("verify_audit", "--checkpoint")
    assert "anchored at length 2" in capsys.readouterr().out
    call_command("verify_audit")


def test_a_checkpoint_refuses_to_anchor_a_chain_that_does_not_verify(chain, anchor_dir):
    _dba(f"UPDATE {EVENTS} SET object_repr = %s WHERE id = %s", ["forged", chain[0].pk])
    before = (anchor_dir / "anchors.jsonl").read_text()
    with pytest.raises(CommandError):
        call_command("verify_audit", "--checkpoint")
    assert (anchor_dir / "anchors.jsonl").read_text() == before
