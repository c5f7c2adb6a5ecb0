"""The audit trail: one append-only table for every feature.

Ordinary events (an archive was viewed, a request escalated) are plain rows.
Evidence events (seal uses, receipts) are additionally chained: each stores
the SHA-256 of its own content together with the previous evidence event's
hash, so that editing or deleting a row in the database is detectable by
`manage.py verify_audit`.

Hashes alone do not stop whoever can write the database: they can recompute
them. So each evidence event also carries its position in the chain and an
HMAC of (position, hash), and the head an HMAC of (length, last hash), keyed
by ATRIUM_AUDIT_KEY, which is not in the database (portal/evidence_key.py).
Rewinding to an older head, which the key once authenticated, is caught by
the anchors written outside the database (portal/audit_anchor.py).
"""

import hashlib
import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class AppendOnlyError(Exception):
    pass


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit events are append-only.")

    def delete(self):
        raise AppendOnlyError("Audit events are append-only.")

    def for_object(self, obj):
        from django.contrib.contenttypes.models import ContentType

        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))


class AuditEvent(models.Model):
    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("actor's account"),
    )
    # Kept as text too: the event must still say who acted after an account is gone.
    actor_repr = models.CharField(_("actor"), max_length=255, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("content type"),
    )
    object_id = models.CharField(_("object ID"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    centre = models.ForeignKey(
        "portal.Centre", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("centre")
    )
    details = models.JSONField(_("details"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    evidence = models.BooleanField(_("evidence"), default=False, db_index=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64, blank=True)
    hash = models.CharField(_("hash"), max_length=64, blank=True)
    # Evidence events only: 1, 2, 3… so that a deleted row is named by the
    # position that is missing; and HMAC(key, position, hash).
    seq = models.PositiveBigIntegerField(_("position in chain"), null=True, blank=True, unique=True)
    mac = models.CharField(_("MAC"), max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "at"]),
            # The audit log listing's order: its newest page from the index,
            # not a sort of the whole (ever-growing) table.
            models.Index(fields=["-at", "-id"], name="audit_newest"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_repr} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events are append-only.")

    def chain_content(self) -> bytes:
        """The exact bytes an evidence event's hash covers."""
        payload = {
            "at": self.at.isoformat(),
            "actor": self.actor_id,
            "actor_repr": self.actor_repr,
            "action": self.action,
            "content_type": self.content_type_id,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "centre": self.centre_id,
            "details": self.details,
            "ip": self.ip_address,
        }
        return json.dumps(payload, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder).encode()

    def compute_hash(self) -> str:
        return hashlib.sha256(self.prev_hash.encode() + self.chain_content()).hexdigest()


class AuditChainHead(models.Model):
    """A single row holding the newest evidence hash.

    Writers update this row first, which takes the row lock on PostgreSQL and
    the write lock on SQLite, so two evidence events can never both chain onto
    the same predecessor."""

    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    length = models.PositiveBigIntegerField(default=0)
    # HMAC(key, length, last_hash): only a holder of ATRIUM_AUDIT_KEY can move the head.
    mac = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self):
        return f"{self.length} evidence events, head {self.last_hash[:12]}…"
