"""Bulk import and export of tenants, units and contacts (R4).

django-import-export's resources do the row loop, the dry run, the
transactions and the result bookkeeping; each resource here reads its row
itself, so that every error names the row and says in the user's language
what is wrong (an unknown unit, a duplicate code, a bad email, an unknown
tier), and so that a row can only touch the centres the user keeps.

Column headers are accepted in Chinese or English; templates and exports are
written in the user's language."""

from __future__ import annotations

import functools
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources
from import_export.formats.base_formats import CSV, XLSX
from wagtail.signal_handlers import disable_reference_index_auto_update

from portal.spreadsheets import escape_row

from .models import (
    Category,
    Centre,
    Contact,
    Tenant,
    TenantStatus,
    Tier,
    Unit,
    phone_validator,
)
from .search_index import index_updates_suspended
from .tasks import reindex_imported


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says why."""


# --- reading cells -----------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _choice_map(choices) -> dict[str, str]:
    """Accept a choice by its value or by its label in Chinese or English."""
    mapping = {}
    for value, label in choices.choices:
        mapping[str(value).lower()] = value
        for lang in ("en", "zh-hans"):
            with translation.override(lang):
                mapping[str(label).lower()] = value
    return mapping


_TRUE = {"1", "y", "yes", "true", "是", "可", "√", "✓", "x"}
_FALSE = {"", "0", "n", "no", "false", "否", "不可"}
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d")
_UNIT_SPLIT = re.compile(r"[,，、;；\s]+")


def _date(value) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


# --- the resources ----------------------------------------------------------------------------


class _ScopedResource(resources.ModelResource):
    """Rows are read by `fill`; lookups come from maps built once per file,
    so a 5,000-row sheet does not ask the database 5,000 times per column."""

    # (attribute, label in the user's language, fixed Chinese header). The
    # Chinese header is part of the file format: it parses whatever the
    # language of the person importing.
    columns: tuple[tuple[str, object, str], ...] = ()
    key_label = gettext_lazy("code")

    def __init__(self, *, centres):
        super().__init__()
        self.centres = {c.code.upper(): c for c in centres}
        self._seen: dict[tuple, int] = {}

    # headers: attribute names inside, labels in either language outside
    @classmethod
    def header_aliases(cls) -> dict[str, str]:
        aliases = {}
        for attr, label, chinese in cls.columns:
            aliases[attr.lower()] = attr
            aliases[chinese.lower()] = attr
            for lang in ("en", "zh-hans"):
                with translation.override(lang):
                    aliases[str(label).strip().lower()] = attr
        return aliases

    @classmethod
    def headers(cls) -> list[str]:
        return [str(label) for _attr, label, _zh in cls.columns]

    def get_queryset(self):
        return self._meta.model.objects.none()

    def _centre(self, row, errors) -> Centre | None:
        code = _text(row.get("centre")).upper()
        if not code:
            errors["centre"] = _("The centre code is missing.")
            return None
        centre = self.centres.get(code)
        if centre is None:
            errors["centre"] = _("Unknown centre “%(code)s”, or not one you may import into.") % {"code": code}
        return centre

    def _claim(self, key, row_number, errors, field_name, label):
        first = self._seen.get(key)
        if first is not None:
            errors[field_name] = _("Duplicate %(what)s “%(value)s”: already in row %(row)s.") % {
                "what": label, "value": key[-1], "row": first}
        else:
            self._seen[key] = row_number

    def get_instance(self, instance_loader, row):
        return self._existing.get(self.row_key(row))

    def import_instance(self, instance, row, **kwargs):
        errors: dict[str, str] = {}
        self.fill(instance, row, errors, kwargs.get("row_number", 0))
        if errors:
            raise ValidationError({k: [v] for k, v in errors.items()})

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # Uniqueness and cross-field rules were checked against the maps in
        # `fill`; asking the database again per row would only be slower.
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(exclude=list(errors), validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        # The preview writes nothing at all, not even inside a rolled-back
        # transaction: every rule is checked in `fill` and `validate_instance`,
        # and the confirmed run still writes inside one transaction, so a
        # database refusal there undoes the whole import.
        if kwargs.get("dry_run"):
            return
        super().save_instance(instance, is_create, row, **kwargs)

    def after_save_instance(self, instance, row, **kwargs):
        if kwargs.get("dry_run"):
            return
        self.after_real_save(instance)

    def after_real_save(self, instance):
        pass

    def row_key(self, row):  # pragma: no cover - subclasses
        raise NotImplementedError

    def fill(self, instance, row, errors, row_number):  # pragma: no cover - subclasses
        raise NotImplementedError


class TenantResource(_ScopedResource):
    columns = (
        ("centre", gettext_lazy("Centre code"), "中心代码"),
        ("code", gettext_lazy("Tenant code"), "租户编号"),
        ("trading_name", gettext_lazy("Trading name"), "经营名称"),
        ("legal_name", gettext_lazy("Legal name"), "法定名称"),
        ("category", gettext_lazy("Business category"), "业态"),
        ("tier", gettext_lazy("Tier"), "等级"),
        ("status", gettext_lazy("Status"), "状态"),
        ("lease_start", gettext_lazy("Lease start"), "租期开始"),
        ("lease_end", gettext_lazy("Lease end"), "租期结束"),
        ("units", gettext_lazy("Unit numbers"), "铺位号"),
    )
    centre = fields.Field(attribute="centre__code", column_name="centre")
    units = fields.Field(column_name="units")

    class Meta:
        model = Tenant
        fields = ("centre", "code", "trading_name", "legal_name", "category", "tier", "status", "lease_start",
                  "lease_end", "units")
        export_order = fields
        import_id_fields = ()
        skip_diff = True
        clean_model_instances = True

    def before_import(self, dataset, **kwargs):
        centres = list(self.centres.values())
        self._existing = {(t.centre.code.upper(), t.code.upper()): t
                          for t in Tenant.objects.filter(centre__in=centres).select_related("centre")}
        self._units = {(u.centre_id, u.number.upper()): u for u in Unit.objects.filter(centre__in=centres)}
        self._tiers, self._categories, self._statuses = _choice_map(Tier), _choice_map(Category), _choice_map(TenantStatus)

    def row_key(self, row):
        return (_text(row.get("centre")).upper(), _text(row.get("code")).upper())

    def dehydrate_units(self, tenant):
        return "、".join(u.number for u in tenant.units.all())

    def fill(self, tenant, row, errors, row_number):
        centre = self._centre(row, errors)
        code = _text(row.get("code"))
        if not code:
            errors["code"] = _("The tenant code is missing.")
        elif centre is not None:
            self._claim((centre.code.upper(), code.upper()), row_number, errors, "code", _("tenant code"))
        if centre is not None and tenant.pk and tenant.centre_id != centre.pk:
            errors["centre"] = _("A tenant cannot move to another centre by import.")
        if centre is not None:
            tenant.centre = centre
        tenant.code = code
        tenant.trading_name = _text(row.get("trading_name"))
        tenant.legal_name = _text(row.get("legal_name"))
        for name, mapping, default, message in (
            ("category", self._categories, None, _("Unknown business category “%(value)s”.")),
            ("tier", self._tiers, Tier.TIER_3, _("Unknown tier “%(value)s”: use 1, 2, 3 or special.")),
            ("status", self._statuses, TenantStatus.OPEN, _("Unknown status “%(value)s”.")),
        ):
            raw = _text(row.get(name))
            if not raw and default is not None:
                setattr(tenant, name, getattr(tenant, name) or default)
                continue
            value = mapping.get(raw.lower())
            if value is None:
                errors[name] = message % {"value": raw}
            else:
                setattr(tenant, name, value)
        for name in ("lease_start", "lease_end"):
            try:
                setattr(tenant, name, _date(row.get(name)))
            except ValueError:
                errors[name] = _("“%(value)s” is not a date: write it as 2026-01-31.") % {"value": _text(row.get(name))}
        if tenant.lease_start and tenant.lease_end and tenant.lease_end < tenant.lease_start:
            errors["lease_end"] = _("The lease cannot end before it starts.")
        tenant._import_units = []
        for number in filter(None, _UNIT_SPLIT.split(_text(row.get("units")))):
            unit = self._units.get((centre.pk, number.upper())) if centre else None
            if unit is None:
                errors["units"] = _("Unknown unit “%(unit)s” in this centre.") % {"unit": number}
            elif unit.tenant_id and unit.tenant_id != tenant.pk:
                errors["units"] = _("Unit “%(unit)s” is let to another tenant.") % {"unit": number}
            else:
                tenant._import_units.append(unit.pk)

    def after_real_save(self, instance):
        if getattr(instance, "_import_units", None):
            Unit.objects.filter(pk__in=instance._import_units).update(tenant=instance)


class UnitResource(_ScopedResource):
    columns = (
        ("centre", gettext_lazy("Centre code"), "中心代码"),
        ("number", gettext_lazy("Unit number"), "铺位号"),
        ("floor", gettext_lazy("Floor"), "楼层"),
        ("area", gettext_lazy("Area (m²)"), "面积（平方米）"),
        ("tenant", gettext_lazy("Tenant code"), "租户编号"),
    )
    centre = fields.Field(attribute="centre__code", column_name="centre")
    tenant = fields.Field(attribute="tenant__code", column_name="tenant")

    class Meta:
        model = Unit
        fields = ("centre", "number", "floor", "area", "tenant")
        export_order = fields
        import_id_fields = ()
        skip_diff = True
        clean_model_instances = True

    def before_import(self, dataset, **kwargs):
        centres = list(self.centres.values())
        self._existing = {(u.centre.code.upper(), u.number.upper()): u
                          for u in Unit.objects.filter(centre__in=centres).select_related("centre")}
        self._tenants = {(t.centre_id, t.code.upper()): t for t in Tenant.objects.filter(centre__in=centres)}

    def row_key(self, row):
        return (_text(row.get("centre")).upper(), _text(row.get("number")).upper())

    def fill(self, unit, row, errors, row_number):
        centre = self._centre(row, errors)
        number = _text(row.get("number"))
        if not number:
            errors["number"] = _("The unit number is missing.")
        elif centre is not None:
            self._claim((centre.code.upper(), number.upper()), row_number, errors, "number", _("unit number"))
        if centre is not None:
            unit.centre = centre
        unit.number = number
        try:
            unit.floor = int(Decimal(_text(row.get("floor"))))
            if unit.floor == 0:
                raise ValueError
        except (InvalidOperation, ValueError):
            errors["floor"] = _("Bad floor “%(value)s”: 1 is the ground floor, -1 is B1, there is no 0.") % {
                "value": _text(row.get("floor"))}
        try:
            unit.area = Decimal(_text(row.get("area")))
            if unit.area <= 0:
                raise InvalidOperation
        except InvalidOperation:
            errors["area"] = _("Bad area “%(value)s”: a positive number of square metres.") % {
                "value": _text(row.get("area"))}
        code = _text(row.get("tenant"))
        unit.tenant = None
        if code and centre is not None:
            unit.tenant = self._tenants.get((centre.pk, code.upper()))
            if unit.tenant is None:
                errors["tenant"] = _("Unknown tenant “%(code)s” in this centre.") % {"code": code}


class ContactResource(_ScopedResource):
    columns = (
        ("centre", gettext_lazy("Centre code"), "中心代码"),
        ("tenant", gettext_lazy("Tenant code"), "租户编号"),
        ("name", gettext_lazy("Name"), "姓名"),
        ("position", gettext_lazy("Position"), "职务"),
        ("phone", gettext_lazy("Phone"), "电话"),
        ("email", gettext_lazy("Email"), "邮箱"),
        ("may_sign", gettext_lazy("May sign for letters"), "可签收"),
    )
    centre = fields.Field(attribute="tenant__centre__code", column_name="centre")
    tenant = fields.Field(attribute="tenant__code", column_name="tenant")

    class Meta:
        model = Contact
        fields = ("centre", "tenant", "name", "position", "phone", "email", "may_sign")
        export_order = fields
        import_id_fields = ()
        skip_diff = True
        clean_model_instances = True

    def before_import(self, dataset, **kwargs):
        centres = list(self.centres.values())
        self._tenants = {(t.centre.code.upper(), t.code.upper()): t
                         for t in Tenant.objects.filter(centre__in=centres).select_related("centre")}
        self._existing = {(c.tenant.centre.code.upper(), c.tenant.code.upper(), c.name): c
                          for c in Contact.objects.filter(tenant__centre__in=centres).select_related("tenant__centre")}

    def row_key(self, row):
        return (_text(row.get("centre")).upper(), _text(row.get("tenant")).upper(), _text(row.get("name")))

    def dehydrate_may_sign(self, contact):
        return _("yes") if contact.may_sign else _("no")

    def fill(self, contact, row, errors, row_number):
        centre = self._centre(row, errors)
        code = _text(row.get("tenant"))
        tenant = self._tenants.get((centre.code.upper(), code.upper())) if centre else None
        if centre is not None and tenant is None:
            errors["tenant"] = _("Unknown tenant “%(code)s” in this centre.") % {"code": code}
        else:
            contact.tenant = tenant
        contact.name = _text(row.get("name"))
        if not contact.name:
            errors["name"] = _("The name is missing.")
        elif tenant is not None:
            self._claim((centre.code.upper(), code.upper(), contact.name), row_number, errors, "name", _("contact"))
        contact.position = _text(row.get("position"))
        contact.phone = _text(row.get("phone"))
        if contact.phone:
            try:
                phone_validator(contact.phone)
            except ValidationError:
                errors["phone"] = _("Bad phone number “%(value)s”.") % {"value": contact.phone}
        contact.email = _text(row.get("email")).lower()
        if contact.email:
            try:
                validate_email(contact.email)
            except ValidationError:
                errors["email"] = _("Bad email address “%(value)s”.") % {"value": contact.email}
        flag = _text(row.get("may_sign")).lower()
        if flag in _TRUE:
            contact.may_sign = True
        elif flag in _FALSE:
            contact.may_sign = False
        else:
            errors["may_sign"] = _("Write yes or no, not “%(value)s”.") % {"value": flag}
        if contact.may_sign and not contact.email:
            errors.setdefault("email", _("A contact who may sign needs an email address to receive letters."))


RESOURCES: dict[str, type[_ScopedResource]] = {
    "tenants": TenantResource,
    "units": UnitResource,
    "contacts": ContactResource,
}
RESOURCE_LABELS = {
    "tenants": gettext_lazy("Tenants"),
    "units": gettext_lazy("Units"),
    "contacts": gettext_lazy("Contacts"),
}


# --- reading a file --------------------------------------------------------------------------


def read_sheet(data: bytes, resource_cls: type[_ScopedResource]) -> tuple[tablib.Dataset, str]:
    """The sheet as a dataset with attribute-named headers, or ImportFileError."""
    if len(data) > settings.ATRIUM_IMPORT_MAX_BYTES:
        raise ImportFileError(_("The file is too large: at most %(mb)s MB.") % {
            "mb": round(settings.ATRIUM_IMPORT_MAX_BYTES / 1024 / 1024, 1)})
    if data.startswith(b"PK\x03\x04"):
        fmt = "xlsx"
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = zf.namelist()
                unpacked = sum(i.file_size for i in zf.infolist())
        except zipfile.BadZipFile as exc:
            raise ImportFileError(_("This file is not a spreadsheet. Upload an XLSX or CSV file.")) from exc
        if not any(n.startswith("xl/") for n in names):
            raise ImportFileError(_("This file is not a spreadsheet. Upload an XLSX or CSV file."))
        # A small zip can unpack to gigabytes; refuse before openpyxl tries.
        if unpacked > 20 * settings.ATRIUM_IMPORT_MAX_BYTES:
            raise ImportFileError(_("The spreadsheet is too large once unpacked."))
        try:
            dataset = XLSX().create_dataset(data)
        except Exception as exc:  # openpyxl raises many kinds on broken files
            raise ImportFileError(_("The spreadsheet could not be read: is it damaged?")) from exc
    else:
        fmt = "csv"
        if b"\x00" in data[:4096]:
            raise ImportFileError(_("This file is not a spreadsheet. Upload an XLSX or CSV file."))
        text = None
        # Excel on Chinese Windows saves CSV in GB18030, elsewhere UTF-8.
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        if text is None:
            raise ImportFileError(_("This file is not a spreadsheet. Upload an XLSX or CSV file."))
        try:
            dataset = CSV().create_dataset(text)
        except Exception as exc:
            raise ImportFileError(_("The CSV file could not be read.")) from exc
    aliases = resource_cls.header_aliases()
    headers = [aliases.get(_text(h).lower()) for h in (dataset.headers or [])]
    missing = [str(label) for attr, label, _zh in resource_cls.columns if attr not in headers and attr != "units"]
    if missing:
        raise ImportFileError(_("These columns are missing: %(columns)s. Start from the template.") % {
            "columns": "、".join(missing)})
    # Columns the resource does not know are dropped; blank lines are skipped.
    keep = [i for i, h in enumerate(headers) if h]
    rows = [[row[i] for i in keep] for row in dataset if any(_text(v) for v in row)]
    if not rows:
        raise ImportFileError(_("The sheet has no rows to import."))
    if len(rows) > settings.ATRIUM_IMPORT_MAX_ROWS:
        raise ImportFileError(_("The sheet has %(n)s rows: at most %(max)s at a time.") % {
            "n": len(rows), "max": settings.ATRIUM_IMPORT_MAX_ROWS})
    clean = tablib.Dataset(*rows, headers=[headers[i] for i in keep])
    return clean, fmt


# --- running ---------------------------------------------------------------------------------


@dataclass
class RowProblem:
    number: int
    messages: list[str] = field(default_factory=list)


@dataclass
class ImportOutcome:
    total: int
    new: int
    updated: int
    problems: list[RowProblem]

    @property
    def ok(self) -> bool:
        return not self.problems


def _outcome(result, resource_cls) -> ImportOutcome:
    labels = {attr: str(label) for attr, label, _zh in resource_cls.columns}
    problems: dict[int, RowProblem] = {}
    for invalid in result.invalid_rows:
        p = problems.setdefault(invalid.number, RowProblem(invalid.number))
        for name, messages in invalid.error_dict.items():
            label = labels.get(name, "" if name == "__all__" else name)
            p.messages.extend(f"{label}：{m}" if label else m for m in messages)
    for number, errors in result.row_errors():
        p = problems.setdefault(number, RowProblem(number))
        p.messages.extend(_("The row could not be saved: %(error)s") % {"error": e.error} for e in errors)
    for error in result.base_errors:
        problems.setdefault(0, RowProblem(0)).messages.append(str(error.error))
    totals = result.totals
    return ImportOutcome(total=result.total_rows, new=totals.get("new", 0), updated=totals.get("update", 0),
                         problems=[problems[k] for k in sorted(problems)])


def run_import(dataset: tablib.Dataset, resource_cls, *, centres, dry_run: bool) -> ImportOutcome:
    """A dry run changes nothing; a real run writes every row or none."""
    resource = resource_cls(centres=centres)
    # Search and reference indexes are brought up to date once, after commit,
    # not per row (see tenants.search_index).
    with transaction.atomic(), index_updates_suspended(), disable_reference_index_auto_update():
        result = resource.import_data(dataset, dry_run=dry_run, raise_errors=False, use_transactions=True,
                                      rollback_on_validation_errors=True)
        outcome = _outcome(result, resource_cls)
        if dry_run or not outcome.ok:
            transaction.set_rollback(True)
        else:
            ids = [row.object_id for row in result.valid_rows() if row.object_id]
            transaction.on_commit(functools.partial(reindex_imported.delay, resource_cls._meta.model._meta.label, ids))
    return outcome


# --- templates and exports -------------------------------------------------------------------


def template_xlsx(resource_cls) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = _("Import")[:31]
    ws.append(resource_cls.headers())
    for cell in ws[1]:
        cell.font = Font(bold=True)
    notes = wb.create_sheet(_("Allowed values")[:31])
    notes.append([_("Column"), _("Allowed values")])
    notes.append([str(TenantResource.columns[5][1]), " / ".join(f"{v} ({label})" for v, label in Tier.choices)])
    notes.append([str(TenantResource.columns[4][1]), " / ".join(f"{v} ({label})" for v, label in Category.choices)])
    notes.append([str(TenantResource.columns[6][1]), " / ".join(f"{v} ({label})" for v, label in TenantStatus.choices)])
    notes.append([_("Dates"), "2026-01-31"])
    notes.append([_("Floor"), _("1 is the ground floor, -1 is B1")])
    notes.append([str(ContactResource.columns[6][1]), _("yes / no")])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def export_dataset(resource_cls, queryset) -> tablib.Dataset:
    resource = resource_cls(centres=[])
    dataset = resource.export(queryset=queryset)
    escaped = tablib.Dataset(headers=resource_cls.headers())
    for row in dataset:
        # import-export's own escaping (IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT)
        # drops a leading "="; "+", "-" and "@" start formulae too.
        escaped.append(escape_row(row))
    return escaped


def export_bytes(resource_cls, queryset, fmt: str) -> bytes:
    dataset = export_dataset(resource_cls, queryset)
    if fmt == "csv":
        # With a BOM, so that Excel on Windows reads the Chinese correctly.
        return ("\ufeff" + CSV().export_data(dataset)).encode("utf-8")
    return XLSX().export_data(dataset)
