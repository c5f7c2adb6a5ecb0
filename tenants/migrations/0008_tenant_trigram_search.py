"""Trigram indexes for the staff's tenant search, on PostgreSQL only.

The admin finds a tenant by its code or any part of its names
(tenants.admin.directory.TenantSearchIndexView: `icontains`, which Django
writes as `UPPER(col::text) LIKE UPPER(%s)` on PostgreSQL). Without an index
that is a scan of every tenant; a pg_trgm GIN index on the same UPPER()
expression lets PostgreSQL answer from the index. SQLite, the embedded
default, has no such index: there the search stays the scan it always was,
which at a few thousand rows costs little. The indexes are not in the
model's state (Django cannot express "only on PostgreSQL" there), so they
are created and dropped here by name."""

from django.db import migrations

FIELDS = ("code", "trading_name", "legal_name")


def _name(field: str) -> str:
    return f"tenant_{field}_trgm"


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # Not django.contrib.postgres's TrigramExtension: going backwards it asks
    # pg_extension whatever the database, which fails on SQLite (the
    # migration tests go back and forth). Left in place when going back:
    # other objects may use it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for field in FIELDS:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{_name(field)}" ON "tenants_tenant" '
            f'USING gin ((UPPER("{field}"::text)) gin_trgm_ops)'
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for field in FIELDS:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{_name(field)}"')


class Migration(migrations.Migration):
    dependencies = [("tenants", "0007_timeline_event_fields")]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes),
    ]
