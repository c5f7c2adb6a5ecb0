"""The audit trail is append-only and its evidence events form a hash chain."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from portal.audit import audit_record
from portal.audit_verify import audit_verify_chain
from portal.models import AuditEvent
from portal.models.audit import AppendOnlyError

pytestmark = pytest.mark.django_db


def _chain(world, n=4):
    return [
        audit_record(actor=world.seal_a, action="seal.used", obj=world.tenant_a, details={"n": i}, evidence=True)
        for i in range(n)
    ]


def test_evidence_events_chain_onto_each_other(world):
    events = _chain(world)
    assert events[0].prev_hash == "0" * 64
    for before, after in zip(events, events[1:], strict=False):
        assert after.prev_hash == before.hash
    assert audit_verify_chain().ok
    call_command("verify_audit")


def test_ordinary_events_record_who_what_and_where(world):
    event = audit_record(actor=world.ops_a, action="archive.viewed", obj=world.tenant_a)
    assert event.actor == world.ops_a and event.centre == world.centre_a
    assert event.object_repr == str(world.tenant_a) and not event.hash


def test_audit_events_cannot_be_changed_or_deleted_through_the_orm(world):
    event = _chain(world, 1)[0]
    event.action = "forged"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.update(action="x")


def test_verify_audit_names_the_first_altered_row(world):
    events = _chain(world)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET details = %s WHERE id = %s", ['{"n": 99}', events[2].pk]
        )
    report = audit_verify_chain()
    assert not report.ok and report.broken_at.pk == events[2].pk
    with pytest.raises(CommandError, match=f"id={events[2].pk}"):
        call_command("verify_audit")


def test_verify_audit_notices_a_removed_row(world):
    events = _chain(world)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [events[1].pk])
    report = audit_verify_chain()
    assert not report.ok and report.broken_at.pk == events[2].pk


def test_verify_audit_notices_the_newest_rows_removed(world):
    events = _chain(world)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [events[-1].pk])
    assert not audit_verify_chain().ok
