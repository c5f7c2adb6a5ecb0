"""Backups off the machine: where media is on S3 (make test-s3, against the
moto server CI starts), every archive is copied to the backup bucket, the
bucket is pruned like the folder, and `restore --from-bucket` brings one
back. On local storage there is no bucket, and asking for one says so."""

import io
import sqlite3

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from portal.backup import backup_create
from portal.backup_bucket import backups_listed
from tenants.models import Tenant
from tests.base import build_world
from tests.fixtures.s3 import s3_object_names
from tests.portal.test_backup_manifest import _copy_target

pytestmark = pytest.mark.django_db(transaction=True)


def _codes(target: list[str]) -> set[str]:
    if target[0] == "--sqlite-path":
        with sqlite3.connect(target[1]) as db:
            return {row[0] for row in db.execute("SELECT code FROM tenants_tenant")}
    db = settings.DATABASES["default"]
    with psycopg.connect(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname=target[1]) as copy:
        return {row[0] for row in copy.execute("SELECT code FROM tenants_tenant")}


def test_an_archive_is_copied_to_the_bucket_and_restored_from_there(tmp_path):
    world = build_world()
    result = backup_create(directory=tmp_path / "backups")
    if "backups" not in settings.STORAGES:  # media on disk: the folder is all there is
        assert result.bucket_copy is None
        with pytest.raises(CommandError, match="no backup bucket is configured"):
            call_command("restore", result.path.name, "--from-bucket", "--sqlite-path", str(tmp_path / "c"),
                         "--pg-database", "x")
        return
    assert f"backups/{result.bucket_copy}" in s3_object_names("backups/")
    result.path.unlink()  # the machine that made it is gone
    Tenant.objects.create(centre=world.centre_a, code="LATE", trading_name="备份之后", legal_name="备份之后有限公司")

    out = io.StringIO()
    with _copy_target(tmp_path) as target:
        call_command("restore", result.bucket_copy, "--from-bucket", *target, stdout=out)
        codes = _codes(target)

    assert {"TA001", "TA002", "TB001"} <= codes
    assert "LATE" not in codes
    assert "Restored the backup of" in out.getvalue()


def test_the_bucket_keeps_only_the_newest_archives(tmp_path):
    build_world()
    made = [backup_create(directory=tmp_path / "backups", keep=2).bucket_copy for _ in range(3)]
    if "backups" not in settings.STORAGES:
        assert made == [None, None, None]
        return
    assert backups_listed() == made[1:]


def test_restoring_an_archive_the_bucket_does_not_have_names_the_ones_it_has(tmp_path):
    build_world()
    made = backup_create(directory=tmp_path / "backups").bucket_copy
    expected = "not in the backup bucket" if made else "no backup bucket is configured"
    with pytest.raises(CommandError, match=expected):
        call_command("restore", "atrium-19990101T000000000000Z.tar", "--from-bucket",
                     "--sqlite-path", str(tmp_path / "c"), "--pg-database", "x")


def test_a_bucket_that_fails_leaves_the_archive_recorded_and_says_so(tmp_path, monkeypatch):
    """The copy off the machine fails (the bucket is unreachable): the local
    archive is kept, recorded in the audit trail with the error, and the
    command still fails, so the operator hears of it."""
    from botocore.exceptions import EndpointConnectionError

    from portal.models import AuditEvent

    def unreachable(path, *, keep):
        raise EndpointConnectionError(endpoint_url="http://127.0.0.1:9/atrium-backups")

    build_world()
    monkeypatch.setattr("portal.backup.backup_upload", unreachable)
    with pytest.raises(CommandError, match="copying it to the backup bucket failed: EndpointConnectionError"):
        call_command("backup", "--dir", str(tmp_path / "backups"))
    archives = list((tmp_path / "backups").glob("atrium-*.tar"))
    assert len(archives) == 1
    event = AuditEvent.objects.filter(action="backup.created").latest("pk")
    assert event.details["file"] == archives[0].name
    assert event.details["bucket_copy"] is None
    assert "EndpointConnectionError" in event.details["bucket_error"]
