"""The one function every feature calls to record what happened."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from .models.audit import GENESIS_HASH, AuditChainHead, AuditEvent
from .models.organisation import Centre


def client_ip(request: HttpRequest | None) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is trivially forged unless a trusted
    # proxy rewrites it, and the production proxy sets REMOTE_ADDR for us.
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    centre=None,
    details: dict | None = None,
    request: HttpRequest | None = None,
    evidence: bool = False,
) -> AuditEvent:
    """Append an audit event. With `evidence=True` it joins the hash chain."""
    if centre is None and obj is not None:
        centre = _centre_of(obj)
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    event = AuditEvent(
        at=timezone.now(),
        actor=actor_obj,
        actor_repr=(actor_obj.email if actor_obj else (str(actor) if actor else "system"))[:255],
        action=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:255] if obj is not None else "",
        centre=centre,
        details=details or {},
        ip_address=client_ip(request),
        evidence=evidence,
    )
    if not evidence:
        event.save()
        return event
    with transaction.atomic():
        head, _ = AuditChainHead.objects.get_or_create(pk=1)
        # Write first, read second: the UPDATE takes the lock before we read the hash.
        AuditChainHead.objects.filter(pk=1).update(length=F("length") + 1)
        head.refresh_from_db()
        event.prev_hash = head.last_hash
        event.hash = event.compute_hash()
        event.save()
        AuditChainHead.objects.filter(pk=1).update(last_hash=event.hash)
    return event


def _centre_of(obj):
    if isinstance(obj, Centre):
        return obj
    centre = getattr(obj, "centre", None)
    return centre if isinstance(centre, Centre) else None


@dataclass
class ChainReport:
    checked: int
    broken_at: AuditEvent | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return not self.reason


def audit_verify_chain() -> ChainReport:
    """Recompute every evidence hash in order; name the first row that does not fit."""
    prev = GENESIS_HASH
    checked = 0
    last = None
    for event in AuditEvent.objects.filter(evidence=True).order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != prev:
            return ChainReport(checked, event, "prev_hash does not match the previous evidence event (a row was removed or reordered)")
        if event.compute_hash() != event.hash:
            return ChainReport(checked, event, "content does not match its hash (the row was altered)")
        prev = event.hash
        checked += 1
        last = event
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_hash != prev:
        return ChainReport(checked, last, "the chain ends before its recorded head (the newest evidence events were removed)")
    return ChainReport(checked)
