"""Anchors of the evidence chain outside the database.

The chain head's MAC stops a database administrator without the key from
moving the head anywhere new, but not from putting back an older head (and
its MAC) they copied earlier, after deleting the newest events. So every head
the key authenticates is also appended to a file outside the database
(ATRIUM_AUDIT_ANCHOR_DIR/anchors.jsonl, one JSON object a line): an anchor
that recorded length L while the database holds fewer events is a rewind.

When a timestamp authority is configured (ATRIUM_AUDIT_TSA_URL), the periodic
checkpoint also obtains an RFC 3161 token over the head's statement and keeps
it beside the anchors (timestamps/head-<length>.tsr with the statement it
covers in head-<length>.txt): proof, from a third party, that this head
existed at that time — which even the key's holder cannot forge afterwards.

Files are written with O_APPEND under an exclusive lock, after the database
transaction commits (a rolled-back event must leave no anchor).
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .evidence_key import HEAD, evidence_mac_ok, key_id

log = logging.getLogger(__name__)

ANCHOR_FILE = "anchors.jsonl"
TIMESTAMP_DIR = "timestamps"


def anchor_dir() -> Path | None:
    folder = settings.ATRIUM_AUDIT_ANCHOR_DIR
    return Path(folder) if folder else None


def anchor_append(*, length: int, last_hash: str, mac: str, create: bool = False) -> None:
    """Append one anchor. Raises OSError when the file cannot be written.

    The file is created only for the chain's first event or when an operator
    starts it explicitly (`verify_audit --checkpoint`): if someone removes it,
    the next event must not quietly start a new one that anchors nothing of
    the past — verify_audit keeps reporting it missing instead."""
    folder = anchor_dir()
    if folder is None:
        return
    create = create or length == 1
    if create:
        folder.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"length": length, "last_hash": last_hash, "mac": mac, "key_id": key_id(),
                       "at": timezone.now().isoformat()}, sort_keys=True) + "\n"
    flags = os.O_WRONLY | os.O_APPEND | (os.O_CREAT if create else 0)
    fd = os.open(folder / ANCHOR_FILE, flags, 0o640)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, line.encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def anchor_after_commit(length: int, last_hash: str, mac: str) -> None:
    """The on_commit callback of each evidence event. The event is already
    committed: failing here must not fail the user's request, and the next
    checkpoint anchors the head anyway; but it must be seen."""
    try:
        anchor_append(length=length, last_hash=last_hash, mac=mac)
    except OSError:
        log.exception("could not append the audit anchor (length %s) to %s", length, anchor_dir())


@dataclass(frozen=True)
class Anchor:
    line_no: int
    length: int
    last_hash: str
    at: str


@dataclass
class AnchorFile:
    exists: bool
    anchors: list[Anchor]
    problems: list[str]

    @property
    def newest(self) -> Anchor | None:
        return max(self.anchors, key=lambda a: a.length, default=None)


def anchors_read() -> AnchorFile | None:
    """Every anchor whose MAC holds; a problem for every line that does not.
    None when anchoring is off."""
    folder = anchor_dir()
    if folder is None:
        return None
    path = folder / ANCHOR_FILE
    if not path.exists():
        return AnchorFile(exists=False, anchors=[], problems=[])
    anchors, problems, mine = [], [], key_id()
    with path.open("rb") as handle:
        for line_no, raw in enumerate(handle, 1):
            try:
                data = json.loads(raw)
                length, last_hash, mac = int(data["length"]), str(data["last_hash"]), str(data["mac"])
            except (ValueError, KeyError, TypeError):
                problems.append(f"anchor file line {line_no} is not a readable anchor (damaged or edited)")
                continue
            if data.get("key_id") not in (None, mine):
                problems.append(f"anchor file line {line_no} was written with another ATRIUM_AUDIT_KEY "
                                f"(id {data.get('key_id')}, this installation's is {mine})")
            elif not evidence_mac_ok(mac, HEAD, length, last_hash):
                problems.append(f"anchor file line {line_no} (length {length}) has a MAC the key did not make: "
                                f"it was written or edited without ATRIUM_AUDIT_KEY")
            else:
                anchors.append(Anchor(line_no, length, last_hash, str(data.get("at", ""))))
    return AnchorFile(exists=True, anchors=anchors, problems=problems)


# --- RFC 3161 timestamps ---------------------------------------------------------

def head_statement(length: int, last_hash: str) -> bytes:
    """The bytes a timestamp token's message imprint is the SHA-256 of. Plain
    text, so that an auditor can check a token with openssl alone."""
    return f"atrium-audit-head/1 length={length} last_hash={last_hash}\n".encode()


def _token_path(folder: Path, length: int) -> Path:
    return folder / TIMESTAMP_DIR / f"head-{length:012d}.tsr"


def timestamp_exists(length: int) -> bool:
    folder = anchor_dir()
    return folder is not None and _token_path(folder, length).exists()


def timestamp_head(*, length: int, last_hash: str, url: str) -> Path:
    """Ask the TSA at `url` for a token over the head's statement and keep it.
    Raises OSError (pyHanko's TimestampRequestError is one) when the TSA
    cannot be reached or refuses."""
    from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper

    folder = anchor_dir()
    if folder is None:
        raise OSError("ATRIUM_AUDIT_ANCHOR_DIR is not set: nowhere to keep timestamp tokens")
    statement = head_statement(length, last_hash)
    stamper = RequestsHTTPTimeStamper(url, timeout=15)
    token = asyncio.run(stamper.async_timestamp(hashlib.sha256(statement).digest(), "sha256"))
    target = _token_path(folder, length)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Written beside, then renamed: a crash never leaves half a token.
    partial = target.with_suffix(".partial")
    partial.write_bytes(token.dump())
    target.with_suffix(".txt").write_bytes(statement)
    partial.replace(target)
    return target


@dataclass(frozen=True)
class StoredToken:
    path: Path
    length: int
    gen_time: datetime | None
    imprint: bytes
    problem: str = ""  # the token itself is unreadable or its signature does not hold
    signer: str = ""
    trusted: bool | None = None  # None: no ATRIUM_AUDIT_TSA_CA to check against


def _trust_roots() -> list:
    from pyhanko.keys import load_certs_from_pemder

    path = getattr(settings, "ATRIUM_AUDIT_TSA_CA", "")
    return list(load_certs_from_pemder([path])) if path else []


def timestamps_read() -> list[StoredToken]:
    """Every stored token, with its signature checked (and its signer
    against ATRIUM_AUDIT_TSA_CA when set). The imprint is compared with the
    chain by the caller."""
    folder = anchor_dir()
    if folder is None or not (folder / TIMESTAMP_DIR).is_dir():
        return []
    roots = _trust_roots()
    tokens = []
    for path in sorted((folder / TIMESTAMP_DIR).glob("head-*.tsr")):
        try:
            length = int(path.stem.removeprefix("head-"))
        except ValueError:
            tokens.append(StoredToken(path, -1, None, b"", problem=f"{path.name} is not named head-<length>.tsr"))
            continue
        tokens.append(_check_token(path, length, roots))
    return tokens


def _check_token(path: Path, length: int, roots: list) -> StoredToken:
    from asn1crypto import cms
    from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
    from pyhanko.sign.validation.status import TimestampSignatureStatus
    from pyhanko_certvalidator import ValidationContext

    try:
        token = cms.ContentInfo.load(path.read_bytes())
        signed_data = token["content"]
        tst_info = signed_data["encap_content_info"]["content"].parsed
        imprint = tst_info["message_imprint"]["hashed_message"].native
        gen_time = tst_info["gen_time"].native
        # The imprint is compared with the chain separately; here only the
        # token's own signature (and trust) is judged — as of the token's
        # time, so that a TSA certificate that expired since still counts.
        context = ValidationContext(trust_roots=roots, moment=gen_time, allow_fetching=False)
        status = TimestampSignatureStatus(**asyncio.run(
            validate_tst_signed_data(signed_data, context, lambda _algorithm: imprint)
        ))
    except Exception as exc:  # noqa: BLE001 - any parse or crypto failure is a finding about this file
        return StoredToken(path, length, None, b"", problem=f"{path.name} is not a valid timestamp token: {exc}"[:300])
    signer = status.signing_cert.subject.human_friendly if status.signing_cert else ""
    if not (status.intact and status.valid):
        return StoredToken(path, length, gen_time, imprint, problem=f"{path.name}: the TSA's signature does not hold")
    return StoredToken(path, length, gen_time, imprint, signer=signer, trusted=status.trusted if roots else None)


EVIDENCE_README = """\
证据链锚点与时间戳 · Evidence-chain anchors and timestamps
==========================================================

anchors.jsonl  每行一个锚点：证据链长度 length、最后一条哈希 last_hash、
               用 ATRIUM_AUDIT_KEY 计算的 HMAC-SHA256（mac）与写入时间。
               One anchor a line: the chain length, the newest event's hash,
               an HMAC-SHA256 by ATRIUM_AUDIT_KEY, and when it was written.
timestamps/    head-<length>.tsr: RFC 3161 timestamp token (DER) over the
               SHA-256 of head-<length>.txt (the statement "length, last_hash").
chain_head.json  the chain head and `verify_audit`'s verdict when this pack was made.

检查时间戳 / To check a token without Atrium:
  openssl ts -verify -token_in -in head-N.tsr -data head-N.txt -CAfile TSA-CA.pem

What this proves: a token shows that a chain of that length with that newest
hash existed no later than its time; compare it with a later copy of the
chain (verify_audit does). An anchor's MAC shows it was written by someone
holding ATRIUM_AUDIT_KEY; the key itself is not in this pack.
"""
