"""A backup's manifest is authenticated with ATRIUM_AUDIT_KEY: whoever can
write the backup folder cannot change what the archive claims (when it was
made, which files, which engine) without `restore` refusing it."""

import io
import json
import tarfile
import uuid
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from portal.audit import audit_record
from portal.backup import BackupError, backup_check, backup_create, backup_restore
from tests.base import build_world

pytestmark = pytest.mark.django_db(transaction=True)


def _rewrite(archive: Path, target: Path, change) -> Path:
    """Copy `archive` member by member; `change(name, data)` returns the new
    bytes of a member, or None to leave it out."""
    with tarfile.open(archive) as source, tarfile.open(target, "w") as out:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            data = change(member.name, data)
            if data is None:
                continue
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    return target


def _edit_manifest(**fields):
    def change(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest.update(fields)
        return json.dumps(manifest, ensure_ascii=False, indent=2).encode()

    return change


@contextmanager
def _copy_target(tmp_path: Path):
    """restore's arguments for a copy beside the live database, on either engine."""
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        yield ["--sqlite-path", str(tmp_path / "copy.sqlite3")]
        return
    db = settings.DATABASES["default"]
    scratch = f"atrium_restore_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname="postgres", autocommit=True)
    admin.execute(f'CREATE DATABASE "{scratch}"')
    try:
        yield ["--pg-database", scratch]
    finally:
        admin.execute(f'DROP DATABASE "{scratch}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def archive(tmp_path):
    build_world()
    return backup_create(directory=tmp_path / "backups").path


@pytest.mark.parametrize("field", [
    {"created_at": "2020-01-01T00:00:00+00:00"},
    {"database_engine": "oracle"},
    {"media": "included (trust me)"},
])
def test_a_changed_manifest_is_refused(archive, tmp_path, field):
    tampered = _rewrite(archive, tmp_path / "tampered.tar", _edit_manifest(**field))
    copy = tmp_path / "copy.sqlite3"
    with pytest.raises(BackupError, match="manifest.json was changed after the backup was made"):
        backup_restore(path=tampered, sqlite_path=copy, pg_database="never_created", media_root=tmp_path / "m")
    assert not copy.exists()


def test_a_manifest_whose_files_were_swapped_together_with_their_hashes_is_refused(archive, tmp_path):
    # Whoever replaces a member and fixes its SHA-256 in the manifest still
    # cannot fix the manifest's MAC.
    # The database member: every archive has one (media.tar only where media is on disk).
    database = "database.sqlite3" if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") else "database.pgdump"

    def change(name, data):
        if name == database:
            return b"not the data"
        if name == "manifest.json":
            import hashlib

            manifest = json.loads(data)
            manifest["files"][database] = {"sha256": hashlib.sha256(b"not the data").hexdigest(), "size": 12}
            return json.dumps(manifest).encode()
        return data

    tampered = _rewrite(archive, tmp_path / "tampered.tar", change)
    with pytest.raises(CommandError, match="manifest.json was changed"):
        call_command("restore", str(tampered), "--sqlite-path", str(tmp_path / "c.sqlite3"), "--pg-database", "x",
                     "--media-root", str(tmp_path / "m"))


def test_an_archive_without_a_manifest_mac_is_refused_unless_explicitly_accepted(archive, tmp_path):
    unsigned = _rewrite(archive, tmp_path / "unsigned.tar", lambda name, data: None if name == "manifest.hmac" else data)
    with pytest.raises(BackupError, match="manifest.json carries no MAC"):
        backup_restore(path=unsigned, sqlite_path=tmp_path / "c.sqlite3", pg_database="x", media_root=tmp_path / "m")
    (tmp_path / "work").mkdir()
    manifest = backup_check(unsigned, tmp_path / "work", accept_unsigned=True)
    assert manifest["format"] == "atrium-backup/1" and manifest["authenticated"] is False


def test_the_restore_command_says_loudly_when_it_accepts_an_unsigned_archive(archive, tmp_path, capsys):
    unsigned = _rewrite(archive, tmp_path / "unsigned.tar", lambda name, data: None if name == "manifest.hmac" else data)
    with _copy_target(tmp_path) as target:
        call_command("restore", str(unsigned), "--accept-unsigned", *target, "--media-root", str(tmp_path / "m"))
    assert "NOT AUTHENTICATED" in capsys.readouterr().err


def test_an_archive_made_with_another_key_is_refused_with_a_clear_message(archive, tmp_path, settings):
    settings.ATRIUM_AUDIT_KEY = "another installation's key, 32 characters or more"
    with pytest.raises(BackupError, match="another ATRIUM_AUDIT_KEY"):
        backup_restore(path=archive, sqlite_path=tmp_path / "c.sqlite3", pg_database="x", media_root=tmp_path / "m")


def test_an_untouched_archive_restores(archive, tmp_path, capsys):
    with _copy_target(tmp_path) as target:
        call_command("restore", str(archive), *target, "--media-root", str(tmp_path / "m"))
    captured = capsys.readouterr()
    assert "Restored the backup of" in captured.out and "NOT AUTHENTICATED" not in captured.err


def test_the_archive_carries_the_anchor_file_and_the_chain_head(tmp_path, settings):
    settings.ATRIUM_AUDIT_ANCHOR_DIR = tmp_path / "anchors"
    world = build_world()
    audit_record(actor=world.seal_a, action="seal.used", obj=world.tenant_a, evidence=True)  # committed: anchored
    result = backup_create(directory=tmp_path / "backups")
    assert "audit.tar" in result.manifest["files"]
    assert result.manifest["audit_chain"]["length"] == 1
    with tarfile.open(result.path) as tar, tarfile.open(fileobj=tar.extractfile("audit.tar")) as inner:
        lines = inner.extractfile("audit/anchors.jsonl").read().decode().splitlines()
    assert json.loads(lines[-1])["length"] == 1
