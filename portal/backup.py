"""Backups of the archive (R29, seed 001 §6): the database and the uploaded
files, on a schedule, in one archive that can be checked and restored.

One `.tar` per run under `ATRIUM_BACKUP_DIR`:

    manifest.json   what is inside, with the SHA-256 of every member
    database.sqlite3 | database.pgdump
    media.tar       the media folder (local storage only)

The manifest lets `restore` refuse an archive that was truncated or altered
before it touches anything. Where media lives in S3, the bucket's own
versioning and replication are its backup; the archive then says so.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess  # pg_dump/pg_restore, always with argument lists
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

FORMAT = "atrium-backup/1"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _database() -> dict:
    return settings.DATABASES["default"]


def _is_sqlite(db: dict) -> bool:
    return db["ENGINE"] == "django.db.backends.sqlite3"


def _pg_env(db: dict) -> dict:
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _pg_args(db: dict, name: str | None = None) -> list[str]:
    args = ["--dbname", name or db["NAME"]]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return args


def _run(command: list[str], env: dict) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} not found: install postgresql-client matching the server.")
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[:500]}")


def _sqlite_copy(source_path: Path, target_path: Path) -> None:
    # The online backup API copies a consistent snapshot while the portal
    # keeps writing; copying the file could catch it mid-transaction.
    source = sqlite3.connect(str(source_path))
    target = sqlite3.connect(str(target_path))
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _dump_database(workdir: Path) -> Path:
    db = _database()
    if _is_sqlite(db):
        target = workdir / "database.sqlite3"
        _sqlite_copy(Path(db["NAME"]), target)
        return target
    target = workdir / "database.pgdump"
    _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(target), *_pg_args(db)], _pg_env(db))
    return target


def _media_is_local() -> bool:
    backend = settings.STORAGES["default"]["BACKEND"]
    return backend == "django.core.files.storage.FileSystemStorage"


def _pack_media(workdir: Path) -> Path | None:
    if not _media_is_local():
        return None
    target = workdir / "media.tar"
    root = Path(settings.MEDIA_ROOT)
    with tarfile.open(target, "w") as tar:
        if root.exists():
            tar.add(str(root), arcname="media")
    return target


def backup_create(*, directory: Path | None = None, keep: int | None = None) -> BackupResult:
    """Write one backup archive and prune the oldest beyond `keep`."""
    directory = Path(directory or settings.ATRIUM_BACKUP_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    with tempfile.TemporaryDirectory(dir=directory) as tmp:
        workdir = Path(tmp)
        parts = [p for p in (_dump_database(workdir), _pack_media(workdir)) if p is not None]
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "database_engine": "sqlite" if _is_sqlite(_database()) else "postgresql",
            "media": "included" if _media_is_local() else "object storage: not included (use bucket versioning)",
            "files": {p.name: {"sha256": _sha256_file(p), "size": p.stat().st_size} for p in parts},
        }
        partial = directory / f".atrium-{stamp}.tar.partial"
        with tarfile.open(partial, "w") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            for part in parts:
                tar.add(str(part), arcname=part.name)
        # Renamed only once complete: a crash leaves a .partial, never a
        # truncated archive that looks finished.
        final = directory / f"atrium-{stamp}.tar"
        partial.replace(final)
    _prune(directory, keep if keep is not None else settings.ATRIUM_BACKUP_KEEP)
    return BackupResult(path=final, manifest=manifest)


def _prune(directory: Path, keep: int) -> None:
    archives = sorted(directory.glob("atrium-*.tar"))
    for old in archives[: max(0, len(archives) - keep)]:
        old.unlink()


def backup_check(path: Path, workdir: Path) -> dict:
    """Unpack `path` into `workdir` and check every member against the
    manifest. Returns the manifest; raises BackupError naming the problem."""
    try:
        with tarfile.open(path, "r") as tar:
            tar.extractall(workdir, filter="data")
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"{path} is not a readable backup archive: {exc}") from exc
    try:
        manifest = json.loads((workdir / "manifest.json").read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{path} has no readable manifest.json") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not an Atrium backup ({manifest.get('format')!r})")
    for name, facts in manifest.get("files", {}).items():
        member = workdir / name
        if not member.is_file():
            raise BackupError(f"{name} is missing from {path}")
        if _sha256_file(member) != facts["sha256"]:
            raise BackupError(f"{name} in {path} does not match its SHA-256 in the manifest: refusing to restore it")
    return manifest


def backup_restore(*, path: Path, sqlite_path: Path | None = None, pg_database: str | None = None,
                   media_root: Path | None = None) -> dict:
    """Restore a checked archive. By default into the configured database and
    media folder — stop the web and worker processes first; the targets can
    be redirected to restore a copy beside the live one."""
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        manifest = backup_check(Path(path), workdir)
        db = _database()
        engine = manifest["database_engine"]
        if engine != ("sqlite" if _is_sqlite(db) else "postgresql"):
            raise BackupError(f"the archive holds a {engine} database; this installation uses another engine")
        if engine == "sqlite":
            target = Path(sqlite_path or db["NAME"])
            if target == Path(db["NAME"]):
                connection.close()
            target.parent.mkdir(parents=True, exist_ok=True)
            _sqlite_copy(workdir / "database.sqlite3", target)
        else:
            _run(
                ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                 *_pg_args(db, pg_database), str(workdir / "database.pgdump")],
                _pg_env(db),
            )
        if "media.tar" in manifest["files"]:
            root = Path(media_root or settings.MEDIA_ROOT)
            root.mkdir(parents=True, exist_ok=True)
            with tarfile.open(workdir / "media.tar", "r") as tar:
                for member in tar.getmembers():
                    # Strip the leading "media/" so files land in the root.
                    if member.name == "media" or not member.name.startswith("media/"):
                        continue
                    member.name = member.name[len("media/"):]
                    tar.extract(member, root, filter="data")
    return manifest
