"""Backups (R29): the database and the uploaded files go into one archive
that is checked against its manifest and can be restored."""

import io
import sqlite3
import tarfile
import uuid
from pathlib import Path

import psycopg
import pytest
import time_machine
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django_celery_beat.models import PeriodicTask

from portal.backup import BackupError, backup_create, backup_restore
from portal.models.audit import AuditEvent
from portal.tasks import backup_nightly
from tenants.models import Tenant
from tests.base import build_world

pytestmark = pytest.mark.django_db(transaction=True)


def _is_sqlite() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"


def _tenant_codes_in_copy(tmp_path: Path, archive: Path) -> set[str]:
    """Restore `archive` beside the live database and read the tenant codes
    back out of the copy."""
    media = tmp_path / "media-copy"
    if _is_sqlite():
        copy = tmp_path / "copy.sqlite3"
        backup_restore(path=archive, sqlite_path=copy, media_root=media)
        with sqlite3.connect(copy) as db:
            return {row[0] for row in db.execute("SELECT code FROM tenants_tenant")}
    db = settings.DATABASES["default"]
    scratch = f"atrium_restore_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname="postgres", autocommit=True)
    admin.execute(f'CREATE DATABASE "{scratch}"')
    try:
        backup_restore(path=archive, pg_database=scratch, media_root=media)
        with psycopg.connect(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname=scratch) as copy:
            return {row[0] for row in copy.execute("SELECT code FROM tenants_tenant")}
    finally:
        admin.execute(f'DROP DATABASE "{scratch}" WITH (FORCE)')
        admin.close()


def test_a_backup_restores_the_database_and_files_as_they_were(tmp_path):
    world = build_world()
    stored = default_storage.save("archive/backup-test/lease.pdf", ContentFile(b"%PDF-1.7 lease"))
    result = backup_create(directory=tmp_path / "backups")
    Tenant.objects.create(centre=world.centre_a, code="LATE", trading_name="备份之后", legal_name="备份之后有限公司")

    codes = _tenant_codes_in_copy(tmp_path, result.path)

    assert {"TA001", "TA002", "TB001"} <= codes
    assert "LATE" not in codes  # the copy is the database as it was at the backup
    database = "database.sqlite3" if _is_sqlite() else "database.pgdump"
    if _media_is_local():
        assert (tmp_path / "media-copy" / stored).read_bytes() == b"%PDF-1.7 lease"
        assert set(result.manifest["files"]) == {"media.tar", database}
    else:
        # Media on S3 (make test-s3) stays in its versioned bucket, and the
        # archive says so; tests/portal/test_backup_bucket.py restores it.
        assert set(result.manifest["files"]) == {database}
        assert result.manifest["media"].startswith("object storage")
        assert not (tmp_path / "media-copy" / stored).exists()
        assert default_storage.open(stored).read() == b"%PDF-1.7 lease"


def _media_is_local() -> bool:
    return settings.STORAGES["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"


def test_an_altered_archive_is_refused_before_anything_is_restored(tmp_path):
    build_world()
    archive = backup_create(directory=tmp_path / "backups").path
    # Rebuild the archive with one byte of the database dump changed (every
    # archive has one; media.tar only where media is on disk).
    unpacked = tmp_path / "unpacked"
    with tarfile.open(archive) as tar:
        tar.extractall(unpacked, filter="data")
    dump = unpacked / ("database.sqlite3" if _is_sqlite() else "database.pgdump")
    data = bytearray(dump.read_bytes())
    data[-1] ^= 0xFF
    dump.write_bytes(bytes(data))
    tampered = tmp_path / "tampered.tar"
    with tarfile.open(tampered, "w") as tar:
        for member in sorted(unpacked.iterdir()):
            tar.add(member, arcname=member.name)

    copy = tmp_path / "copy.sqlite3"
    with pytest.raises(BackupError, match=f"{dump.name} .* does not match its SHA-256"):
        backup_restore(path=tampered, sqlite_path=copy, pg_database="never_created", media_root=tmp_path / "m")
    assert not copy.exists()
    assert not (tmp_path / "m").exists()


def test_something_that_is_not_a_backup_gets_a_clear_error(tmp_path):
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"this is not a tar file")
    with pytest.raises(CommandError, match="not a readable backup archive"):
        call_command("restore", str(junk), "--sqlite-path", str(tmp_path / "x.sqlite3"), "--pg-database", "x")


def test_only_the_newest_archives_are_kept(tmp_path):
    build_world()
    folder = tmp_path / "backups"
    for stamp in ("20260101T000000Z", "20260102T000000Z", "20260103T000000Z"):
        (folder / f"atrium-{stamp}.tar").parent.mkdir(parents=True, exist_ok=True)
        (folder / f"atrium-{stamp}.tar").write_bytes(b"old")
    newest = backup_create(directory=folder, keep=2).path
    assert sorted(p.name for p in folder.glob("atrium-*.tar")) == ["atrium-20260103T000000Z.tar", newest.name]


def test_every_backup_is_recorded_once_in_the_audit_trail_by_the_task_and_the_command(tmp_path, settings):
    settings.ATRIUM_BACKUP_DIR = str(tmp_path / "backups")
    build_world()
    with time_machine.travel("2026-12-01 02:30 +0800", tick=False):
        backup_nightly.delay()
    with time_machine.travel("2026-12-01 09:00 +0800", tick=False):
        call_command("backup", "--dir", str(tmp_path / "backups"), stdout=io.StringIO())
    events = AuditEvent.objects.filter(action="backup.created").order_by("pk")
    assert [e.details["file"] for e in events] == sorted(p.name for p in (tmp_path / "backups").glob("atrium-*.tar"))
    assert all(e.details["media"] for e in events)


def test_the_nightly_backup_is_scheduled():
    task = PeriodicTask.objects.get(name="portal: nightly backup")
    assert task.task == "portal.tasks.backup_nightly"
    assert (task.crontab.hour, task.crontab.minute) == ("2", "30")


def test_restoring_over_the_live_data_without_a_terminal_needs_yes(tmp_path):
    build_world()
    archive = backup_create(directory=tmp_path / "backups").path
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(archive))
    assert Tenant.objects.filter(code="TA001").exists()  # nothing was touched


def test_two_backups_in_the_same_instant_are_both_kept(tmp_path):
    build_world()
    folder = tmp_path / "backups"
    with time_machine.travel("2026-12-01 02:30 +0800", tick=False):
        first = backup_create(directory=folder, keep=5).path
        second = backup_create(directory=folder, keep=5).path
    assert first != second
    assert sorted(p.name for p in folder.glob("atrium-*.tar")) == [first.name, second.name]
    assert not list(folder.glob(".atrium-*"))
