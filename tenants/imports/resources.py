"""The import-export resources for tenants, units and contacts: their columns
(headers in Chinese or English), the widget that reads each (widgets.py) and
the few rules across columns, so that every error names the row and a row
can only touch the centres the user keeps."""

from __future__ import annotations

import copy

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from import_export import fields, resources
from import_export.widgets import ManyToManyWidget

from tenants.imports.cells import cell_text
from tenants.imports.history import ImportHistory
from tenants.imports.widgets import (
    CheckedNumberWidget,
    ChoiceWidget,
    ScopedLookupWidget,
    ScopedUnitsWidget,
    SheetDateWidget,
    TextWidget,
    YesNoWidget,
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


def column(name, widget=None, **kwargs) -> fields.Field:
    """A column read into the model attribute of the same name."""
    return fields.Field(attribute=kwargs.pop("attribute", name), column_name=name, widget=widget or TextWidget(),
                        **kwargs)


def centre_column(**kwargs) -> fields.Field:
    return column("centre", ScopedLookupWidget(
        Centre, scope="pk", missing=gettext_lazy("The centre code is missing."),
        unknown=gettext_lazy("Unknown centre “%(value)s”, or not one you may import into.")), **kwargs)


def tenant_column(**kwargs) -> fields.Field:
    return column("tenant", ScopedLookupWidget(Tenant, unknown=gettext_lazy("Unknown tenant “%(value)s” in this centre."),
                                               **kwargs))


class ScopedResource(resources.ModelResource):
    """Existing rows and lookups come from maps built once per file, so a
    20,000-row sheet does not ask the database 20,000 times per column."""

    # (attribute, label in the user's language, fixed Chinese header). The
    # Chinese header is part of the file format: it parses whatever the
    # language of the person importing.
    columns: tuple[tuple[str, object, str], ...] = ()
    # The columns naming one row of the model; the same twice in a file is refused.
    key_columns: tuple[str, ...] = ()
    key_label = gettext_lazy("code")

    class Meta:
        import_id_fields = ()
        skip_diff = True
        clean_model_instances = True

    def __init__(self, *, centres, progress=None, actor=None):
        super().__init__()
        self.centres = list(centres)
        # Called with the number of rows done, now and then (the admin shows it).
        self.progress = progress
        # The field history of the rows written, recorded in batches (flushed by run_import).
        self.history = ImportHistory(actor)
        self._seen: dict[tuple, int] = {}
        self._existing: dict[tuple, object] = {}

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

    def existing(self):  # pragma: no cover - subclasses
        raise NotImplementedError

    def before_import(self, dataset, **kwargs):
        for field in self.fields.values():
            if hasattr(field.widget, "load"):
                field.widget.load(self.centres)
        self._existing = {self._key(lambda name, o=obj: self.fields[name].export(o)): obj for obj in self.existing()}

    def _key(self, value_of) -> tuple:
        return tuple(cell_text(value_of(name)).upper() for name in self.key_columns)

    def get_instance(self, instance_loader, row):
        return self._existing.get(self._key(row.get))

    def get_import_fields(self):
        # import-export works the list out again for every row; it is fixed.
        if not hasattr(self, "_import_fields"):
            self._import_fields = super().get_import_fields()
        return self._import_fields

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        # The units widget asks which tenant the row is, to allow its own units.
        super().import_field(field, instance, row, is_m2m, target=instance, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        errors: dict[str, list] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for name, field in self.fields.items():
            # Read-only columns (a contact's centre) and the units a tenant lets
            # are written elsewhere or never, but checked in the preview too.
            if (field.readonly or isinstance(field.widget, ManyToManyWidget)) and field.column_name in row:
                try:
                    field.clean(row, target=instance)
                except ValueError as exc:
                    errors.setdefault(name, []).append(str(exc))
        self.check_row(instance, errors)
        key, number = self._key(row.get), kwargs.get("row_number", 0)
        if all(key) and not errors.keys() & set(self.key_columns):
            first = self._seen.setdefault(key, number)
            if first != number:
                # Numbered as the sheet is (its header is row 1), like the problems listed.
                errors[self.key_columns[-1]] = [_("Duplicate %(what)s “%(value)s”: already in row %(row)s.") % {
                    "what": self.key_label, "value": cell_text(row.get(self.key_columns[-1])), "row": first + 1}]
        if errors:
            raise ValidationError(errors)

    def check_row(self, instance, errors) -> None:
        """Rules across columns, checked here rather than by the database's
        constraints (validating those asks the database once per row)."""

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # Lookups were checked against the maps, uniqueness against the file
        # and the existing rows: asking the database again per row is slower.
        errors = dict(import_validation_errors or {})
        looked_up = [name for name, f in self.fields.items() if hasattr(f.widget, "load") or f.readonly]
        try:
            instance.full_clean(exclude=[*errors, *looked_up], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def do_instance_save(self, instance, is_create):
        # Only real runs save: a dry run records no history either.
        self.history.hold(instance)
        super().do_instance_save(instance, is_create)
        self.history.add(instance, update=not is_create)

    def import_row(self, row, instance_loader, **kwargs):
        row_result = super().import_row(row, instance_loader, **kwargs)
        # Here, not in after_import_row: import-export would file an exception
        # the progress raises (the job is gone) as that row's error.
        number = kwargs.get("row_number", 0)
        if self.progress and number % 500 == 0:
            self.progress(number)
        return row_result


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
    key_columns = ("centre", "code")
    key_label = gettext_lazy("tenant code")
    centre = centre_column()
    code = column("code", TextWidget(missing=gettext_lazy("The tenant code is missing.")))
    trading_name = column("trading_name")
    legal_name = column("legal_name")
    category = column("category", ChoiceWidget(
        Category, required=True, invalid=gettext_lazy("Unknown business category “%(value)s”.")))
    tier = column("tier", ChoiceWidget(Tier, invalid=gettext_lazy("Unknown tier “%(value)s”: use 1, 2, 3 or special.")),
                  saves_null_values=False)
    status = column("status", ChoiceWidget(TenantStatus, invalid=gettext_lazy("Unknown status “%(value)s”.")),
                    saves_null_values=False)
    lease_start = column("lease_start", SheetDateWidget())
    lease_end = column("lease_end", SheetDateWidget())
    units = column("units", ScopedUnitsWidget(), m2m_add=True)

    class Meta:
        model = Tenant
        fields = ("centre", "code", "trading_name", "legal_name", "category", "tier", "status", "lease_start",
                  "lease_end", "units")

    def existing(self):
        return Tenant.objects.filter(centre__in=self.centres).select_related("centre")

    def save_m2m(self, instance, row, **kwargs):
        # The units a row lets are written by a queryset update, which no
        # history sees: the units that change hands are recorded here.
        moved = []
        if not self._is_dry_run(kwargs) and "units" in row:
            moved = [u for u in self.fields["units"].clean(row, target=instance) if u.tenant_id != instance.pk]
        super().save_m2m(instance, row, **kwargs)
        for unit in moved:
            # A copy: the lookup map keeps the unit as the preview saw it.
            let = copy.copy(unit)
            let.tenant_id = instance.pk
            self.history.add(let, update=True)

    def check_row(self, tenant, errors):
        if tenant.lease_start and tenant.lease_end and tenant.lease_end < tenant.lease_start:
            errors.setdefault("lease_end", []).append(_("The lease cannot end before it starts."))


class UnitResource(ScopedResource):
    columns = (
        ("centre", gettext_lazy("Centre code"), "中心代码"),
        ("number", gettext_lazy("Unit number"), "铺位号"),
        ("floor", gettext_lazy("Floor"), "楼层"),
        ("area", gettext_lazy("Area (m²)"), "面积（平方米）"),
        ("tenant", gettext_lazy("Tenant code"), "租户编号"),
    )
    key_columns = ("centre", "number")
    key_label = gettext_lazy("unit number")
    centre = centre_column()
    number = column("number", TextWidget(missing=gettext_lazy("The unit number is missing.")))
    floor = column("floor", CheckedNumberWidget(integer=True, check=lambda n: n != 0, invalid=gettext_lazy(
        "Bad floor “%(value)s”: 1 is the ground floor, -1 is B1, there is no 0.")))
    area = column("area", CheckedNumberWidget(check=lambda n: n > 0, invalid=gettext_lazy(
        "Bad area “%(value)s”: a positive number of square metres.")))
    tenant = tenant_column()

    class Meta:
        model = Unit
        fields = ("centre", "number", "floor", "area", "tenant")

    def existing(self):
        return Unit.objects.filter(centre__in=self.centres).select_related("centre")


class ContactResource(ScopedResource):
    columns = (
        ("centre", gettext_lazy("Centre code"), "中心代码"),
        ("tenant", gettext_lazy("Tenant code"), "租户编号"),
        ("name", pgettext_lazy("person", "Name"), "姓名"),
        ("position", gettext_lazy("Position"), "职务"),
        ("phone", gettext_lazy("Phone"), "电话"),
        ("email", gettext_lazy("Email"), "邮箱"),
        ("may_sign", gettext_lazy("May sign for letters"), "可签收"),
    )
    key_columns = ("centre", "tenant", "name")
    key_label = gettext_lazy("contact")
    # The centre only says where to find the tenant: checked, never written.
    centre = centre_column(attribute="tenant__centre", readonly=True)
    tenant = tenant_column(missing=gettext_lazy("The tenant code is missing."))
    name = column("name", TextWidget(missing=gettext_lazy("The name is missing.")))
    position = column("position")
    phone = column("phone", TextWidget(validator=phone_validator, invalid=gettext_lazy("Bad phone number “%(value)s”.")))
    email = column("email", TextWidget(lower=True, validator=validate_email,
                                       invalid=gettext_lazy("Bad email address “%(value)s”.")))
    may_sign = column("may_sign", YesNoWidget())

    class Meta:
        model = Contact
        fields = ("centre", "tenant", "name", "position", "phone", "email", "may_sign")

    def existing(self):
        return Contact.objects.filter(tenant__centre__in=self.centres).select_related("tenant__centre")

    def check_row(self, contact, errors):
        if contact.may_sign and not contact.email and "email" not in errors:
            errors["email"] = [_("A contact who may sign needs an email address to receive letters.")]


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
