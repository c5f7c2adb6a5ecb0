"""The temporary item storage log (R8, clause 4.15): deposit and collection."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit_record
from tenants.models import Contact, StorageDeposit, Tenant
from tenants.selectors.requests import handles_requests


class StorageError(Exception):
    """The entry cannot change this way now; the message says why."""


def storage_deposit(
    *, actor, tenant: Tenant, items: str, quantity: int, location: str, depositor_name: str = "",
    contact: Contact | None = None, note: str = "", deposited_at: datetime | None = None,
    request: HttpRequest | None = None,
) -> StorageDeposit:
    if tenant is None:
        raise StorageError(_("Choose the tenant who leaves the items."))
    if not handles_requests(actor, tenant.centre):
        raise PermissionDenied
    if contact is not None and contact.tenant_id != tenant.pk:
        raise StorageError(_("The contact belongs to another tenant."))
    if not (items or "").strip() or not (location or "").strip():
        raise StorageError(_("Say what was left and where it is kept."))
    if quantity is None or quantity < 1:
        raise StorageError(_("The quantity is at least 1."))
    depositor = (depositor_name or "").strip() or (contact.name if contact else "")
    if not depositor:
        raise StorageError(_("Say who left the items."))
    now = timezone.now()
    if deposited_at is not None and deposited_at > now + timedelta(minutes=5):
        raise StorageError(_("The time cannot be in the future."))
    with transaction.atomic():
        entry = StorageDeposit.objects.create(
            centre=tenant.centre, number=f"tmp-{now.timestamp()}-{actor.pk}", tenant=tenant, contact=contact,
            depositor_name=depositor[:100], items=items.strip()[:300], quantity=quantity,
            location=location.strip()[:200], note=(note or "").strip()[:300], deposited_at=deposited_at or now,
            received_by=actor,
        )
        # The number comes from the row id: unique without a counter to lock.
        entry.number = f"{tenant.centre.code}-JC{entry.deposited_at:%y%m}-{entry.pk:05d}"
        entry.save(update_fields=["number"])
        audit_record(actor=actor, action="storage.deposited", obj=entry, request=request,
                     details={"tenant": tenant.pk, "items": entry.items, "quantity": quantity})
    return entry


def storage_collect(
    *, actor, deposit: StorageDeposit, collector_name: str, id_checked: bool = False, id_last4: str = "",
    request: HttpRequest | None = None,
) -> StorageDeposit:
    """Hand the items back: who collected them, when, and who released them."""
    if not (collector_name or "").strip():
        raise StorageError(_("Say who collected the items."))
    id_last4 = (id_last4 or "").strip()
    if id_checked and not id_last4:
        raise StorageError(_("Write the last 4 characters of the ID that was checked."))
    if len(id_last4) > 4:
        raise StorageError(_("Only the last 4 characters of the ID are kept."))
    with transaction.atomic():
        entry = StorageDeposit.objects.select_for_update().select_related("centre").get(pk=deposit.pk)
        if not handles_requests(actor, entry.centre):
            raise PermissionDenied
        if entry.collected_at is not None:
            raise StorageError(_("These items were already collected."))
        entry.collected_at, entry.collector_name, entry.released_by = timezone.now(), collector_name.strip()[:100], actor
        entry.collector_id_checked, entry.collector_id_last4 = bool(id_checked), id_last4
        entry.save(update_fields=["collected_at", "collector_name", "released_by", "collector_id_checked",
                                  "collector_id_last4"])
        audit_record(actor=actor, action="storage.collected", obj=entry, request=request,
                     details={"collector": entry.collector_name, "id_checked": entry.collector_id_checked})
    return entry
