"""A copy of every backup archive in object storage (STORAGES["backups"]:
the media bucket under backups/, or ATRIUM_BACKUP_BUCKET), so that losing the
machine that made the archives does not lose them too; and the way back:
`manage.py restore --from-bucket NAME` fetches one to restore it.

Set only where media is on S3 (portal/settings/base.py): an installation on
its own disk keeps its archives in ATRIUM_BACKUP_DIR, to be copied off by
whatever copies that machine's disks."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages


def backups_storage():
    """The storage that keeps the copies, or None where there is none."""
    return storages["backups"] if "backups" in settings.STORAGES else None


def backups_listed() -> list[str]:
    """The archives in the bucket, oldest first (their names sort by time)."""
    storage = backups_storage()
    if storage is None:
        return []
    _, files = storage.listdir("")
    return sorted(name for name in files if name.startswith("atrium-") and name.endswith(".tar"))


def backup_upload(path: Path, *, keep: int) -> str | None:
    """Copy the finished archive `path` to the bucket and prune the bucket's
    oldest beyond `keep`, as the folder is pruned; the name it got there."""
    storage = backups_storage()
    if storage is None:
        return None
    with path.open("rb") as handle:
        name = storage.save(path.name, File(handle, name=path.name))
    for old in backups_listed()[: max(0, len(backups_listed()) - keep)]:
        storage.delete(old)
    return name


@contextmanager
def backup_fetched(name: str) -> Iterator[Path]:
    """The bucket's archive `name`, copied into a temporary file for as long
    as the block runs. LookupError when there is no bucket or no such archive."""
    storage = backups_storage()
    if storage is None:
        raise LookupError("no backup bucket is configured (media is not on S3): restore a file from ATRIUM_BACKUP_DIR")
    if not storage.exists(name):
        listed = ", ".join(backups_listed()[-5:]) or "none"
        raise LookupError(f"{name} is not in the backup bucket (the latest there: {listed})")
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / Path(name).name
        with storage.open(name, "rb") as source, target.open("wb") as copy:
            shutil.copyfileobj(source, copy, 1 << 20)
        yield target
