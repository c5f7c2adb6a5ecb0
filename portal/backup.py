"""Backups of the archive (R29, seed 001 §6): the database and the uploaded
files, on a schedule, in one archive that can be checked and restored.

One `.tar` per run under `ATRIUM_BACKUP_DIR`:

    manifest.json   what is inside, with the SHA-256 of every member and the
                    evidence chain's head at the time
    manifest.hmac   HMAC-SHA256 of manifest.json's exact bytes, keyed by
                    ATRIUM_AUDIT_KEY (which is not in the archive)
    database.sqlite3 | database.pgdump
    media.tar       the media folder (local storage only)
    audit.tar       the evidence anchors and RFC 3161 tokens (ATRIUM_AUDIT_ANCHOR_DIR)

The manifest lets `restore` refuse an archive that was truncated or altered
before it touches anything; its MAC, that whoever can write the backup
folder cannot rewrite the manifest too (new hashes for swapped files, another
date). One key for the chain and the backups: a restore needs that key
anyway to verify the restored chain, and a second secret would be kept in
the same place by the same people. Where media lives in S3, the bucket's own
versioning and replication are its backup; the archive then says so.
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import itertools
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

from .audit import audit_record
from .audit_anchor import ANCHOR_FILE, anchor_dir
from .backup_bucket import backup_upload
from .evidence_key import MANIFEST, evidence_mac, evidence_mac_ok, key_id

FORMAT = "atrium-backup/1"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict
    bucket_copy: str | None = None  # its name in the backup bucket, where there is one


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


def _pack_anchors(workdir: Path) -> Path | None:
    folder = anchor_dir()
    if folder is None:
        return None
    staging = workdir / "audit"
    if folder.exists():
        shutil.copytree(folder, staging, ignore=shutil.ignore_patterns("*.partial"))
        anchors = folder / ANCHOR_FILE
        if anchors.exists():
            # Read under the writers' lock: never half an anchor line.
            with anchors.open("rb") as handle:
                fcntl.flock(handle, fcntl.LOCK_SH)
                (staging / ANCHOR_FILE).write_bytes(handle.read())
    else:
        staging.mkdir()
    target = workdir / "audit.tar"
    with tarfile.open(target, "w") as tar:
        tar.add(str(staging), arcname="audit")
    shutil.rmtree(staging)
    return target


def _chain_head() -> dict:
    from .models.audit import AuditChainHead

    head = AuditChainHead.objects.filter(pk=1).first()
    return {"length": head.length, "last_hash": head.last_hash, "mac": head.mac} if head else {"length": 0}


def _manifest_mac(data: bytes) -> bytes:
    return json.dumps({"alg": "HMAC-SHA256", "key_id": key_id(),
                       "mac": evidence_mac(MANIFEST, hashlib.sha256(data).hexdigest())}).encode()


def _check_manifest_mac(path: Path, workdir: Path, data: bytes, *, accept_unsigned: bool) -> bool:
    """True when the MAC holds; False for an unsigned archive accepted on
    request; otherwise refuse."""
    try:
        seal = json.loads((workdir / "manifest.hmac").read_bytes())
    except FileNotFoundError:
        if accept_unsigned:
            return False
        raise BackupError(
            f"{path}: manifest.json carries no MAC (an archive from before manifests were authenticated, or its "
            "MAC was removed): refusing to restore it. If you know where this archive comes from, pass "
            "--accept-unsigned."
        ) from None
    except (OSError, ValueError) as exc:
        raise BackupError(f"{path}: manifest.hmac is unreadable: refusing to restore it") from exc
    if seal.get("key_id") != key_id():
        raise BackupError(
            f"{path} was made with another ATRIUM_AUDIT_KEY (id {seal.get('key_id')}, this installation's is "
            f"{key_id()}): set the key it was made with to restore it"
        )
    if not evidence_mac_ok(str(seal.get("mac", "")), MANIFEST, hashlib.sha256(data).hexdigest()):
        raise BackupError(f"{path}: manifest.json was changed after the backup was made (its MAC does not match): "
                          "refusing to restore it")
    return True


def backup_create(*, directory: Path | None = None, keep: int | None = None) -> BackupResult:
    """Write one backup archive, record it in the audit trail and prune the
    oldest beyond `keep` (the nightly task and `manage.py backup` alike)."""
    directory = Path(directory or settings.ATRIUM_BACKUP_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=directory) as tmp:
        workdir = Path(tmp)
        head = _chain_head()
        parts = [p for p in (_dump_database(workdir), _pack_media(workdir), _pack_anchors(workdir)) if p is not None]
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "database_engine": "sqlite" if _is_sqlite(_database()) else "postgresql",
            "media": "included" if _media_is_local() else "object storage: not included (use bucket versioning)",
            "files": {p.name: {"sha256": _sha256_file(p), "size": p.stat().st_size} for p in parts},
            # The evidence chain's head when the dump began: the archive is
            # one more anchor, kept wherever the backups are kept.
            "audit_chain": head,
        }
        partial, final = _reserve_names(directory)
        with tarfile.open(partial, "w") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
            for name, content in (("manifest.json", data), ("manifest.hmac", _manifest_mac(data))):
                info = tarfile.TarInfo(name)
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
            for part in parts:
                tar.add(str(part), arcname=part.name)
        # Renamed only once complete: a crash leaves a .partial, never a
        # truncated archive that looks finished.
        partial.replace(final)
    keep = keep if keep is not None else settings.ATRIUM_BACKUP_KEEP
    try:
        copied, bucket_error = backup_upload(final, keep=keep), ""
    except Exception as exc:  # noqa: BLE001 - whatever the bucket says, the archive on disk is good
        copied, bucket_error = None, f"{type(exc).__name__}: {exc}"[:500]
    # Recorded and pruned even when the copy failed: the archive exists, and
    # the folder must not fill up night after night while the bucket is down.
    audit_record(actor=None, action="backup.created", details={
        "file": final.name, "files": manifest["files"], "media": manifest["media"], "bucket_copy": copied,
        **({"bucket_error": bucket_error} if bucket_error else {}),
    })
    _prune(directory, keep)
    if bucket_error:
        # Still a failure (the task fails, the command exits non-zero): a
        # backup only on the machine it protects is not yet off-site.
        raise BackupError(f"{final} was written, but copying it to the backup bucket failed: {bucket_error}")
    return BackupResult(path=final, manifest=manifest, bucket_copy=copied)


def _reserve_names(directory: Path) -> tuple[Path, Path]:
    """The .partial and final names of a new archive, the .partial created
    exclusively: two backups started in the same instant (the nightly task
    and an operator's `manage.py backup`) each get their own archive instead
    of the second replacing the first. The names sort in the order they were
    made: microseconds, then a counter only on a clash ("…Z.tar" < "…Z001.tar")."""
    base = timezone.now().strftime("%Y%m%dT%H%M%S%fZ")
    for n in itertools.count():
        stamp = base if n == 0 else f"{base}{n:03d}"
        partial = directory / f".atrium-{stamp}.tar.partial"
        final = directory / f"atrium-{stamp}.tar"
        if final.exists():
            continue
        try:
            partial.touch(exist_ok=False)
        except FileExistsError:
            continue
        return partial, final
    raise AssertionError("unreachable")


def _prune(directory: Path, keep: int) -> None:
    archives = sorted(directory.glob("atrium-*.tar"))
    for old in archives[: max(0, len(archives) - keep)]:
        old.unlink()


def backup_check(path: Path, workdir: Path, *, accept_unsigned: bool = False) -> dict:
    """Unpack `path` into `workdir`, check the manifest's MAC and every member
    against the manifest. Returns the manifest, with "authenticated" added;
    raises BackupError naming the problem."""
    try:
        with tarfile.open(path, "r") as tar:
            tar.extractall(workdir, filter="data")
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"{path} is not a readable backup archive: {exc}") from exc
    try:
        data = (workdir / "manifest.json").read_bytes()
    except OSError as exc:
        raise BackupError(f"{path} has no readable manifest.json") from exc
    authenticated = _check_manifest_mac(path, workdir, data, accept_unsigned=accept_unsigned)
    try:
        manifest = json.loads(data)
    except ValueError as exc:
        raise BackupError(f"{path} has no readable manifest.json") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not an Atrium backup ({manifest.get('format')!r})")
    for name, facts in manifest.get("files", {}).items():
        member = workdir / name
        if not member.is_file():
            raise BackupError(f"{name} is missing from {path}")
        if _sha256_file(member) != facts["sha256"]:
            raise BackupError(f"{name} in {path} does not match its SHA-256 in the manifest: refusing to restore it")
    return {**manifest, "authenticated": authenticated}


def backup_restore(*, path: Path, sqlite_path: Path | None = None, pg_database: str | None = None,
                   media_root: Path | None = None, accept_unsigned: bool = False) -> dict:
    """Restore a checked archive. By default into the configured database and
    media folder — stop the web and worker processes first; the targets can
    be redirected to restore a copy beside the live one.

    The anchors come back only onto an installation that has none: anchors
    already here record what happened after the backup too, so verify_audit
    can say which evidence events the restore lost."""
    live = not (sqlite_path or pg_database)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        manifest = backup_check(Path(path), workdir, accept_unsigned=accept_unsigned)
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
        manifest["anchors"] = _restore_anchors(workdir, manifest) if live else "not touched (restored a copy)"
    return manifest


def _restore_anchors(workdir: Path, manifest: dict) -> str:
    folder = anchor_dir()
    if "audit.tar" not in manifest["files"] or folder is None:
        return "none in the archive" if folder is not None else "anchoring is off"
    if (folder / ANCHOR_FILE).exists():
        return f"kept the anchors already in {folder}"
    folder.mkdir(parents=True, exist_ok=True)
    with tarfile.open(workdir / "audit.tar", "r") as tar:
        for member in tar.getmembers():
            if not member.name.startswith("audit/"):
                continue
            member.name = member.name[len("audit/"):]
            tar.extract(member, folder, filter="data")
    return f"restored into {folder}"
