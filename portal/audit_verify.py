"""Verifying the evidence chain, and anchoring a head that verified.

What is checked, in this order, stopping at the first problem so that the
verdict names exactly the first thing that differs:

1. every evidence event in order: its content against its hash, its
   (position, hash) against its MAC, its position against the one expected
   (a gap names the missing position and the event before it), its
   prev_hash against the event before;
2. the anchors outside the database: each one's MAC, none beyond the
   database's length (a rewind), each one's hash against the event at its
   position;
3. the head: its length and last hash against the events, its MAC;
4. the RFC 3161 tokens: each one's signature, and its message imprint
   against the statement of the chain at its length.

The anchors are read first and the head before the events: anchors are
written after commit and the head moves with each event in one transaction,
so what is read later is never older than what was read earlier, and
an event committed while we verify is not mistaken for tampering.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .audit_anchor import (
    ANCHOR_FILE,
    EVIDENCE_README,
    TIMESTAMP_DIR,
    anchor_append,
    anchor_dir,
    anchors_read,
    head_statement,
    timestamp_exists,
    timestamp_head,
    timestamps_read,
)
from .evidence_key import HEAD, ROW, evidence_mac_ok, key_id
from .models.audit import GENESIS_HASH, AuditChainHead, AuditEvent

log = logging.getLogger(__name__)


class _Broken(Exception):
    def __init__(self, reason: str, row: AuditEvent | None = None):
        super().__init__(reason)
        self.reason, self.row = reason, row


@dataclass
class ChainReport:
    checked: int = 0
    broken_at: AuditEvent | None = None
    reason: str = ""
    notes: list[str] = field(default_factory=list)
    # The head that was verified (what a checkpoint may anchor).
    length: int = 0
    last_hash: str = GENESIS_HASH
    head_mac: str = ""
    anchored_length: int = 0

    @property
    def ok(self) -> bool:
        return not self.reason

    @property
    def verdict(self) -> str:
        if not self.ok:
            return f"Audit chain BROKEN: {self.reason}."
        return f"Audit chain intact: {self.checked} evidence events, every hash and MAC verified."

    def lines(self) -> list[str]:
        return [self.verdict, *(f"  {note}" for note in self.notes)]


def _missing(first: int, last: int, before: AuditEvent | None) -> str:
    after = f"after id={before.pk}" if before is not None else "at the start of the chain"
    if first == last:
        return f"event with position {first} ({after}) is missing"
    return f"events with positions {first}–{last} ({after}) are missing"


def _row_problem(row: AuditEvent, expected: int, prev_hash: str, before: AuditEvent | None) -> str:
    where = f"event id={row.pk} (position {row.seq if row.seq is not None else '?'})"
    if row.compute_hash() != row.hash:
        return f"{where} was altered: its content no longer matches its hash"
    if row.seq is None or not row.mac:
        return f"{where} carries no MAC: it was inserted or altered outside Atrium"
    if not evidence_mac_ok(row.mac, ROW, row.seq, row.hash):
        hint = "" if before is not None else " (or ATRIUM_AUDIT_KEY is not the key this chain was written with)"
        return (f"{where} was altered: its hash and position are not the ones ATRIUM_AUDIT_KEY authenticated, "
                f"so they were rewritten outside Atrium{hint}")
    if row.seq > expected:
        return _missing(expected, row.seq - 1, before)
    if row.seq < expected:
        return f"{where} repeats a position already seen (a copied or reordered row)"
    if row.prev_hash != prev_hash:
        return f"{where} does not follow the event before it (its prev_hash differs)"
    return ""


def audit_verify_chain(*, starting_anchors: bool = False) -> ChainReport:
    """Verify the evidence chain; the report names the first problem.
    `starting_anchors`: an operator is about to start the anchor file, so its
    absence is not (yet) a problem."""
    report = ChainReport()
    try:
        _verify(report, starting_anchors)
    except _Broken as broken:
        report.reason, report.broken_at = broken.reason, broken.row
    return report


def _verify(report: ChainReport, starting_anchors: bool) -> None:
    anchors = anchors_read()
    head = AuditChainHead.objects.filter(pk=1).first()
    head_length = head.length if head else 0

    # 1. The events, in the order they were chained.
    positions: dict[int, tuple[AuditEvent, str]] = {}
    prev_hash, before, expected = GENESIS_HASH, None, 1
    rows = AuditEvent.objects.filter(evidence=True).order_by("id").iterator(chunk_size=2000)
    for row in rows:
        beyond_head = row.seq is not None and row.seq > head_length and row.seq >= expected
        if beyond_head and evidence_mac_ok(row.mac, ROW, row.seq, row.hash):
            _check_beyond_head(row)
            break
        problem = _row_problem(row, expected, prev_hash, before)
        if problem:
            raise _Broken(problem, row)
        positions[expected] = (row, row.hash)
        prev_hash, before, expected = row.hash, row, expected + 1
        report.checked += 1
    count = report.checked

    # 2. The anchors outside the database.
    if anchors is None:
        report.notes.append("anchoring outside the database is off (ATRIUM_AUDIT_ANCHOR_DIR is empty)")
    else:
        _check_anchors(anchors, count, positions, before, report, starting_anchors)

    # 3. The head.
    if head is None:
        if count:
            raise _Broken(f"the chain has {count} evidence events but no head row", before)
    elif head.length or head.mac:
        if head.length > count:
            raise _Broken(f"the chain head records {head.length} events but the database has {count}: "
                          + _missing(count + 1, head.length, before), before)
        if head.last_hash != prev_hash:
            raise _Broken(f"the chain head's last hash is not the hash of the newest event (position {count})", before)
        if not evidence_mac_ok(head.mac, HEAD, head.length, head.last_hash):
            raise _Broken(f"the chain head (length {head.length}) is not authenticated by ATRIUM_AUDIT_KEY: "
                          "it was rewritten outside Atrium")
        report.length, report.last_hash, report.head_mac = head.length, head.last_hash, head.mac

    # 4. The RFC 3161 tokens.
    _check_timestamps(count, positions, before, report)


def _check_beyond_head(row: AuditEvent) -> None:
    # An authenticated event past the head we read: appended while we were
    # reading — unless the head, read again, still stops short of it.
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None or head.length < row.seq:
        raise _Broken(f"event id={row.pk} (position {row.seq}) lies beyond the chain head "
                      f"(length {head.length if head else 0}): the head was rewound", row)


def _check_anchors(anchors, count: int, positions: dict, before: AuditEvent | None, report: ChainReport,
                   starting: bool) -> None:
    path = anchor_dir() / ANCHOR_FILE
    if anchors.problems:
        raise _Broken(anchors.problems[0])
    if not anchors.exists:
        if count and not starting:
            raise _Broken(f"no anchor file at {path} although the database holds {count} evidence events: it was "
                          "removed, or this installation was never anchored (after upgrading, run "
                          "`manage.py verify_audit --checkpoint` once)", before)
        return
    newest = anchors.newest
    if newest is None:
        return
    if newest.length > count:
        raise _Broken(f"the anchor written at {newest.at} (anchor file line {newest.line_no}) recorded length "
                      f"{newest.length} but the database has {count} evidence events: the chain was rewound — "
                      + _missing(count + 1, newest.length, before), before)
    for anchor in sorted(anchors.anchors, key=lambda a: a.length):
        if anchor.length not in positions:
            raise _Broken(f"anchor file line {anchor.line_no} names position {anchor.length}, which no chain has")
        row, digest = positions[anchor.length]
        if digest != anchor.last_hash:
            raise _Broken(f"event id={row.pk} (position {anchor.length}) differs from the anchor written at "
                          f"{anchor.at} (anchor file line {anchor.line_no}): the chain was rewritten by someone "
                          "holding ATRIUM_AUDIT_KEY", row)
    report.anchored_length = newest.length
    report.notes.append(f"anchored at length {newest.length} ({newest.at}) in {path}")
    if count > newest.length:
        report.notes.append(f"the newest {count - newest.length} events are not anchored outside the database yet "
                            "(the next checkpoint anchors them)")


def _check_timestamps(count: int, positions: dict, before: AuditEvent | None, report: ChainReport) -> None:
    tokens = timestamps_read()
    for token in tokens:
        if token.problem:
            raise _Broken(token.problem)
        if token.length > count:
            raise _Broken(f"the RFC 3161 token {token.path.name} of {token.gen_time} covers length {token.length} "
                          f"but the database has {count} evidence events: the chain was rewound — "
                          + _missing(count + 1, token.length, before), before)
        if token.length not in positions:
            raise _Broken(f"{token.path.name} names position {token.length}, which no chain has")
        row, digest = positions[token.length]
        if hashlib.sha256(head_statement(token.length, digest)).digest() != token.imprint:
            raise _Broken(f"event id={row.pk} (position {token.length}) is not what the timestamp authority saw "
                          f"at {token.gen_time} ({token.path.name}): the chain up to it was rewritten after that time",
                          row)
        if token.trusted is False:
            raise _Broken(f"{token.path.name} was signed by {token.signer}, whose certificate does not chain to "
                          "ATRIUM_AUDIT_TSA_CA")
    if tokens:
        newest = max(tokens, key=lambda t: t.length)
        trust = "" if newest.trusted else " — TSA certificate not checked: set ATRIUM_AUDIT_TSA_CA"
        report.notes.append(f"{len(tokens)} RFC 3161 timestamps match the chain; the newest covers length "
                            f"{newest.length} at {newest.gen_time} ({newest.signer}){trust}")


@dataclass
class CheckpointResult:
    report: ChainReport
    anchored: bool = False
    timestamp: Path | None = None
    error: str = ""


def audit_checkpoint(*, tsa_url: str | None = None, start_anchors: bool = False) -> CheckpointResult:
    """Anchor the head outside the database, and timestamp it when a TSA is
    configured — only after the whole chain verified: the key would
    otherwise vouch, in a place the DBA cannot reach, for whatever the DBA
    wrote. Safe to run twice: an anchored or timestamped head is not done
    again. Only an operator (`verify_audit --checkpoint`) may
    `start_anchors`, i.e. create a missing anchor file; the periodic task
    reports it missing instead."""
    report = audit_verify_chain(starting_anchors=start_anchors)
    result = CheckpointResult(report)
    if not report.ok:
        log.error("audit checkpoint refused: %s", report.verdict)
        return result
    if anchor_dir() is None or report.length == 0:
        return result
    if report.anchored_length != report.length:
        anchor_append(length=report.length, last_hash=report.last_hash, mac=report.head_mac, create=start_anchors)
        result.anchored = True
    url = tsa_url if tsa_url is not None else settings.ATRIUM_AUDIT_TSA_URL
    if url and not timestamp_exists(report.length):
        try:
            result.timestamp = timestamp_head(length=report.length, last_hash=report.last_hash, url=url)
        except OSError as exc:
            # The TSA is outside; it may be down. The next checkpoint asks again.
            result.error = f"the timestamp authority at {url} did not answer: {exc}"
            log.warning("audit checkpoint: %s", result.error)
    return result


def audit_evidence_files(prefix: str = "evidence/") -> dict[str, bytes]:
    """What an auditor takes away: the anchors, the timestamp tokens with the
    statements they cover, the head and today's verdict, and how to check
    them. Lengths, hashes and MACs only — no event's content."""
    report = audit_verify_chain()
    files = {
        f"{prefix}README.txt": EVIDENCE_README.encode(),
        f"{prefix}chain_head.json": json.dumps({
            "checked_at": timezone.now().isoformat(), "verdict": report.verdict, "length": report.length,
            "last_hash": report.last_hash, "head_mac": report.head_mac, "key_id": key_id(),
        }, ensure_ascii=False, indent=2).encode(),
    }
    folder = anchor_dir()
    if folder is not None and (folder / ANCHOR_FILE).exists():
        files[f"{prefix}{ANCHOR_FILE}"] = (folder / ANCHOR_FILE).read_bytes()
    if folder is not None and (folder / TIMESTAMP_DIR).is_dir():
        for path in sorted((folder / TIMESTAMP_DIR).glob("head-*")):
            if path.suffix in (".tsr", ".txt"):
                files[f"{prefix}{TIMESTAMP_DIR}/{path.name}"] = path.read_bytes()
    return files
