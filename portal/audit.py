"""The one function every feature calls to record what happened."""

from __future__ import annotations

from functools import partial

from allauth.core.internal.httpkit import clean_client_ip, get_client_ip
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from .audit_anchor import anchor_after_commit
from .evidence_key import HEAD, ROW, evidence_mac
from .models.audit import AuditChainHead, AuditEvent
from .models.organisation import Centre


def client_ip(request: HttpRequest | None) -> str | None:
    # allauth's rule, so that the address a receipt records is the one its
    # rate limits count: REMOTE_ADDR, or with ATRIUM_TRUSTED_PROXY_COUNT = N
    # the N-th address from the right of X-Forwarded-For — the one the
    # outermost trusted proxy saw; whatever a client wrote further left is
    # ignored (portal/settings/operations.py).
    if request is None:
        return None
    try:
        return get_client_ip(request)
    except ImproperlyConfigured:
        # Fewer forwarded addresses than trusted proxies: the request did
        # not come through them, so the connection's own address is the client.
        return clean_client_ip(request.META.get("REMOTE_ADDR", ""))


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
        event.seq = head.length
        event.mac = evidence_mac(ROW, event.seq, event.hash)
        event.save()
        head_mac = evidence_mac(HEAD, head.length, event.hash)
        AuditChainHead.objects.filter(pk=1).update(last_hash=event.hash, mac=head_mac)
        # Outside the database, once committed: an anchor for an event that
        # was rolled back would later read as a deleted event.
        transaction.on_commit(partial(anchor_after_commit, head.length, event.hash, head_mac), robust=True)
    return event


def audit_snippet_changes(models_audited: tuple[type, ...], request, instances, action: str) -> None:
    """An audit event for each of `instances` (what a snippet view created,
    changed or deleted, from Wagtail's after_*_snippet hooks) that is one of
    `models_audited`, the app's records audited this way: other snippets
    have their own events, or are changed only through audited services."""
    for instance in instances:
        if isinstance(instance, models_audited):
            audit_record(actor=request.user, action=action, obj=instance, request=request)


def _centre_of(obj):
    if isinstance(obj, Centre):
        return obj
    centre = getattr(obj, "centre", None)
    return centre if isinstance(centre, Centre) else None

