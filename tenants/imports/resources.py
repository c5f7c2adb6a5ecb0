"""The import-export resources for tenants, units and contacts: their columns
(headers in Chinese or English) and how each reads its row, so that every
error names the row and a row can only touch the centres the user keeps."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources

from tenants.imports.cells import (
    FALSE_WORDS,
    TRUE_WORDS,
    UNIT_SPLIT,
    cell_date,
    cell_text,
    choice_map,
)
from tenants.models import (
    Category,
    Centre,
    Contact,
    Tenant,
    TenantStatus,
    Tier,
    Unit,
    phone_validator,
)

# --- the resources ----------------------------------------------------------------------------


class ScopedResource(resources.ModelResource):
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
        code = cell_text(row.get("centre")).upper()
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


class TenantResource(ScopedResource):
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
        self._tiers, self._categories, self._statuses = choice_map(Tier), choice_map(Category), choice_map(TenantStatus)

    def row_key(self, row):
        return (cell_text(row.get("centre")).upper(), cell_text(row.get("code")).upper())

    def dehydrate_units(self, tenant):
        return "、".join(u.number for u in tenant.units.all())

    def fill(self, tenant, row, errors, row_number):
        centre = self._centre(row, errors)
        code = cell_text(row.get("code"))
        if not code:
            errors["code"] = _("The tenant code is missing.")
        elif centre is not None:
            self._claim((centre.code.upper(), code.upper()), row_number, errors, "code", _("tenant code"))
        if centre is not None and tenant.pk and tenant.centre_id != centre.pk:
            errors["centre"] = _("A tenant cannot move to another centre by import.")
        if centre is not None:
            tenant.centre = centre
        tenant.code = code
        tenant.trading_name = cell_text(row.get("trading_name"))
        tenant.legal_name = cell_text(row.get("legal_name"))
        for name, mapping, default, message in (
            ("category", self._categories, None, _("Unknown business category “%(value)s”.")),
            ("tier", self._tiers, Tier.TIER_3, _("Unknown tier “%(value)s”: use 1, 2, 3 or special.")),
            ("status", self._statuses, TenantStatus.OPEN, _("Unknown status “%(value)s”.")),
        ):
            raw = cell_text(row.get(name))
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
                setattr(tenant, name, cell_date(row.get(name)))
            except ValueError:
                errors[name] = _("“%(value)s” is not a date: write it as 2026-01-31.") % {"value": cell_text(row.get(name))}
        if tenant.lease_start and tenant.lease_end and tenant.lease_end < tenant.lease_start:
            errors["lease_end"] = _("The lease cannot end before it starts.")
        tenant._import_units = []
        for number in filter(None, UNIT_SPLIT.split(cell_text(row.get("units")))):
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


class UnitResource(ScopedResource):
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
        return (cell_text(row.get("centre")).upper(), cell_text(row.get("number")).upper())

    def fill(self, unit, row, errors, row_number):
        centre = self._centre(row, errors)
        number = cell_text(row.get("number"))
        if not number:
            errors["number"] = _("The unit number is missing.")
        elif centre is not None:
            self._claim((centre.code.upper(), number.upper()), row_number, errors, "number", _("unit number"))
        if centre is not None:
            unit.centre = centre
        unit.number = number
        try:
            unit.floor = int(Decimal(cell_text(row.get("floor"))))
            if unit.floor == 0:
                raise ValueError
        except (InvalidOperation, ValueError):
            errors["floor"] = _("Bad floor “%(value)s”: 1 is the ground floor, -1 is B1, there is no 0.") % {
                "value": cell_text(row.get("floor"))}
        try:
            unit.area = Decimal(cell_text(row.get("area")))
            if unit.area <= 0:
                raise InvalidOperation
        except InvalidOperation:
            errors["area"] = _("Bad area “%(value)s”: a positive number of square metres.") % {
                "value": cell_text(row.get("area"))}
        code = cell_text(row.get("tenant"))
        unit.tenant = None
        if code and centre is not None:
            unit.tenant = self._tenants.get((centre.pk, code.upper()))
            if unit.tenant is None:
                errors["tenant"] = _("Unknown tenant “%(code)s” in this centre.") % {"code": code}


class ContactResource(ScopedResource):
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
        return (cell_text(row.get("centre")).upper(), cell_text(row.get("tenant")).upper(), cell_text(row.get("name")))

    def dehydrate_may_sign(self, contact):
        return _("yes") if contact.may_sign else _("no")

    def fill(self, contact, row, errors, row_number):
        centre = self._centre(row, errors)
        code = cell_text(row.get("tenant"))
        tenant = self._tenants.get((centre.code.upper(), code.upper())) if centre else None
        if centre is not None and tenant is None:
            errors["tenant"] = _("Unknown tenant “%(code)s” in this centre.") % {"code": code}
        else:
            contact.tenant = tenant
        contact.name = cell_text(row.get("name"))
        if not contact.name:
            errors["name"] = _("The name is missing.")
        elif tenant is not None:
            self._claim((centre.code.upper(), code.upper(), contact.name), row_number, errors, "name", _("contact"))
        contact.position = cell_text(row.get("position"))
        contact.phone = cell_text(row.get("phone"))
        if contact.phone:
            try:
                phone_validator(contact.phone)
            except ValidationError:
                errors["phone"] = _("Bad phone number “%(value)s”.") % {"value": contact.phone}
        contact.email = cell_text(row.get("email")).lower()
        if contact.email:
            try:
                validate_email(contact.email)
            except ValidationError:
                errors["email"] = _("Bad email address “%(value)s”.") % {"value": contact.email}
        flag = cell_text(row.get("may_sign")).lower()
        if flag in TRUE_WORDS:
            contact.may_sign = True
        elif flag in FALSE_WORDS:
            contact.may_sign = False
        else:
            errors["may_sign"] = _("Write yes or no, not “%(value)s”.") % {"value": flag}
        if contact.may_sign and not contact.email:
            errors.setdefault("email", _("A contact who may sign needs an email address to receive letters."))


RESOURCES: dict[str, type[ScopedResource]] = {
    "tenants": TenantResource,
    "units": UnitResource,
    "contacts": ContactResource,
}
RESOURCE_LABELS = {
    "tenants": gettext_lazy("Tenants"),
    "units": gettext_lazy("Units"),
    "contacts": gettext_lazy("Contacts"),
}
