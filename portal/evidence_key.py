"""The key that makes evidence survive a database administrator.

Hashes alone prove nothing against someone who can write the database: they
can recompute every hash. An HMAC keyed by a secret that is not in the
database (ATRIUM_AUDIT_KEY, from the environment) can only be recomputed by
whoever holds that secret. One key serves the chain and the backup manifests,
each MAC prefixed with its purpose, so that a MAC made for one thing is never
valid for another (a row's MAC is not a head's MAC).

In dev and test the key is derived from SECRET_KEY so that nothing needs
configuring; production refuses to start without a key of its own
(portal/settings/production.py). Rotating SECRET_KEY therefore never breaks
the chain in production.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings


def _key() -> bytes:
    configured = getattr(settings, "ATRIUM_AUDIT_KEY", "")
    if configured:
        return configured.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"atrium audit key (dev/test only)", hashlib.sha256).digest()


def evidence_mac(purpose: str, *parts: object) -> str:
    """HMAC-SHA256 over the purpose and the parts, unit-separated so that no
    two different lists of parts give the same message."""
    message = "\x1f".join([purpose, *(str(part) for part in parts)]).encode()
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


def evidence_mac_ok(mac: str | None, purpose: str, *parts: object) -> bool:
    return bool(mac) and hmac.compare_digest(mac, evidence_mac(purpose, *parts))


def key_id() -> str:
    """A short public fingerprint of the key, so that "made with another key"
    can be told apart from "changed"."""
    return evidence_mac("key id")[:16]


# The purposes, in one place.
ROW = "atrium-audit-row/1"  # (position, hash) of one evidence event
HEAD = "atrium-audit-head/1"  # (length, last hash) of the chain
MANIFEST = "atrium-backup-manifest/1"  # the exact bytes of a backup's manifest.json
