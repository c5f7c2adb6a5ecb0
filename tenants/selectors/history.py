"""What changed in a tenant's archive, field by field (R2): the history that
django-simple-history keeps of the tenant, its units, contacts and
documents — whether the change came from the admin, an import, a service or
a command — as one reader may see it. The old → new of each field comes
from the library's `diff_against`; confidential values are masked by the
archive's one rule (tenants.selectors.archive.masked)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from portal.models.accounts import User
from portal.models.organisation import Centre
from tenants.models import (
    CONFIDENTIAL_CONTACT_FIELDS,
    CONFIDENTIAL_TENANT_FIELDS,
    ArchiveDocument,
    Confidentiality,
    Contact,
    Tenant,
    Unit,
)
from tenants.selectors.archive import CONFIDENTIAL_DOCUMENT_FIELDS, MASK, masked

# The change reason an import gives its records (tenants.imports.history).
IMPORT_REASON = "import"

# The newest records read per kind of record: the history page shows the
# latest changes, not a tenant's whole life at once (the card reads fewer).
RECORDS_PER_MODEL = 1000
# A document's stored file name is random and internal (its original name
# shows, and a new file is a new version: a record of its own).
NOT_SHOWN = {"file"}


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class Change:
    """One save of one record: who, when, what, and each field's old → new.
    Read like an audit event (at, actor_repr, object_repr) so that the
    access history can list both."""

    at: datetime
    actor_repr: str
    object_repr: str
    kind: str  # the library's history_type: "+" created, "~" changed, "-" deleted
    by_import: bool
    field_changes: list[FieldChange] = field(default_factory=list)
    # A change to a record that has no earlier history (it predates the
    # history and was not given a baseline): the old values are unknown.
    no_baseline: bool = False

    @property
    def action(self) -> str:
        label = {"+": _("created"), "~": _("changed"), "-": _("deleted")}[self.kind]
        return (
            _("%(action)s by import") % {"action": label} if self.by_import else label
        )


def _tenant_ids_of_centre(tenant):
    return Tenant.objects.filter(centre_id=tenant.centre_id).values("pk")


def _scopes(tenant) -> list[tuple[type[models.Model], Q]]:
    """Which history records belong to `tenant`'s archive. A unit or contact
    that ever belonged to the tenant is followed while it stays in the
    tenant's centre; another centre's records never show."""
    units = Unit.history.filter(tenant_id=tenant.pk).values("id")
    contacts = Contact.history.filter(tenant_id=tenant.pk).values("id")
    return [
        (Tenant, Q(id=tenant.pk)),
        (Unit, Q(id__in=units, centre_id=tenant.centre_id)),
        (Contact, Q(id__in=contacts, tenant_id__in=_tenant_ids_of_centre(tenant))),
        (ArchiveDocument, Q(tenant_id=tenant.pk)),
    ]


def _records(model, scope: Q, per_model: int) -> list:
    newest = (
        model.history.filter(scope)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )
    return sorted(newest[:per_model], key=lambda r: (r.history_date, r.history_id))


def _confidential_fields(model, record, previous) -> tuple[str, ...]:
    if model is Tenant:
        return CONFIDENTIAL_TENANT_FIELDS
    if model is Contact:
        return CONFIDENTIAL_CONTACT_FIELDS
    if model is ArchiveDocument and Confidentiality.CONFIDENTIAL in (
        record.confidentiality,
        getattr(previous, "confidentiality", None),
    ):
        return CONFIDENTIAL_DOCUMENT_FIELDS
    return ()


class _Values:
    """How a stored value reads: choices as their labels, yes / no, money
    without a needless ".00", related records by name (one query per kind)."""

    def __init__(self, records_by_model, tenant):
        self.names: dict[type, dict] = {}
        wanted: dict[type, set] = {}
        for model, records in records_by_model.items():
            for f in model.history.model.tracked_fields:
                if f.is_relation and f.related_model in (Tenant, Centre, User):
                    wanted.setdefault(f.related_model, set()).update(
                        getattr(r, f.attname) for r in records
                    )
        for related, ids in wanted.items():
            qs = related.objects.filter(pk__in=ids - {None})
            if related is Tenant:  # another centre's tenant is not named here
                qs = qs.filter(centre_id=tenant.centre_id)
            self.names[related] = {obj.pk: str(obj) for obj in qs}

    def read(self, model_field, value) -> str:
        if value is None or value == "":
            return ""
        if model_field.is_relation:
            return self.names.get(model_field.related_model, {}).get(value, f"#{value}")
        if model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        if isinstance(value, Decimal):
            return (
                f"{value:.0f}" if value == value.to_integral_value() else f"{value:.2f}"
            )
        if isinstance(value, datetime):
            return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(model_field, models.FileField):
            return str(value).rsplit("/", 1)[-1]
        return str(value)


def _object_repr(model, record, *, hide: bool) -> str:
    name = capfirst(model._meta.verbose_name)
    if model is Contact:
        return f"{name} · {record.name}"
    if model is Unit:
        return f"{name} · {record.number}"
    if model is ArchiveDocument:
        return f"{name} · {record.get_kind_display()} · {masked(record.title, shown=not hide)}"
    return f"{name} · {record.trading_name}"


def _change(model, record, previous, values: _Values, shown: bool) -> Change | None:
    secret = _confidential_fields(model, record, previous)
    kind = record.history_type
    change = Change(
        at=record.history_date,
        actor_repr=str(record.history_user or _("system")),
        kind=kind,
        object_repr=_object_repr(
            model, record, hide=not shown and model is ArchiveDocument and bool(secret)
        ),
        by_import=record.history_change_reason == IMPORT_REASON,
    )
    if kind == "-":
        return change
    if kind == "~" and previous is not None:
        pairs = [(c.field, c.old, c.new) for c in record.diff_against(previous).changes]
        if not pairs:
            return None  # saved without a change
    else:
        change.no_baseline = kind == "~"
        pairs = [
            (f.name, None, getattr(record, f.attname))
            for f in record.tracked_fields
            if f.editable and not f.primary_key
        ]
        pairs = [(name, old, new) for name, old, new in pairs if new not in (None, "")]
    for name, old, new in pairs:
        if name in NOT_SHOWN:
            continue
        model_field = model._meta.get_field(name)
        old, new = values.read(model_field, old), values.read(model_field, new)
        if name in secret:
            # As on the card: a blank personal phone stays blank, anything else masked.
            empty = "" if model is Contact else MASK
            old, new = (
                masked(old, shown=shown, empty=empty),
                masked(new, shown=shown, empty=empty),
            )
        change.field_changes.append(
            FieldChange(str(capfirst(model_field.verbose_name)), old, new)
        )
    return change


def archive_changes(
    tenant, *, shown: bool, per_model: int = RECORDS_PER_MODEL
) -> list[Change]:
    """The changes to `tenant`'s archive, newest first, with confidential
    values shown only if `shown` (may_see_confidential of the reader): the
    newest `per_model` records of each kind."""
    records_by_model = {
        model: _records(model, scope, per_model) for model, scope in _scopes(tenant)
    }
    values = _Values(records_by_model, tenant)
    changes = []
    for model, records in records_by_model.items():
        cut = len(records) == per_model  # older records were left out
        previous_of: dict = {}  # each record's own earlier version
        for record in records:
            previous = previous_of.get(record.id)
            previous_of[record.id] = record
            if cut and previous is None and record.history_type == "~":
                continue  # its earlier version was left out: no old values to show
            change = _change(model, record, previous, values, shown)
            if change is not None:
                changes.append(change)
    changes.sort(key=lambda c: c.at, reverse=True)
    return changes


def with_changes(events, changes, *, limit: int = 100) -> list:
    """The access history (audit events) with the changes among them,
    newest first; a change is told from an event by its `field_changes`."""
    merged = [*events, *changes]
    merged.sort(key=lambda item: item.at, reverse=True)
    return merged[:limit]
