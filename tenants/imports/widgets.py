"""The widgets the three import resources share: import-export's own, taught
how people here write a cell (Chinese or English words, 2026/1/31, no floor
0) and to name the bad value in the user's language. A widget raises
ValueError with that message; import-export files it under the column.

Lookups (centre, tenant, units) read from maps that `load` builds once per
import, never one query per row."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import widgets

from tenants.imports.cells import (
    DATE_FORMATS,
    FALSE_WORDS,
    TRUE_WORDS,
    UNIT_SPLIT,
    cell_text,
    choice_map,
)


class TextWidget(widgets.CharWidget):
    """Trimmed text; `missing` refuses a blank cell, `validator` a bad one."""

    def __init__(self, *, missing=None, lower=False, validator=None, invalid=None):
        super().__init__()
        self.missing, self.lower, self.validator, self.invalid = missing, lower, validator, invalid

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        text = text.lower() if self.lower else text
        if not text and self.missing:
            raise ValueError(self.missing)
        if text and self.validator:
            try:
                self.validator(text)
            except ValidationError:
                raise ValueError(self.invalid % {"value": text}) from None
        return text


class ChoiceWidget(widgets.Widget):
    """A choice by its value or its label in Chinese or English. A blank cell
    is None: the field keeps the tenant's value, or the model's default."""

    def __init__(self, choices, *, invalid, required=False):
        super().__init__()
        self.choices, self.invalid, self.required = choices, invalid, required
        self._values = None

    def clean(self, value, row=None, **kwargs):
        if self._values is None:
            self._values = choice_map(self.choices)
        text = cell_text(value)
        if not text and not self.required:
            return None
        found = self._values.get(text.lower())
        if found is None:
            raise ValueError(self.invalid % {"value": text})
        return found


class SheetDateWidget(widgets.DateWidget):
    def __init__(self):
        super().__init__()
        self.formats = DATE_FORMATS

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            return super().clean(cell_text(value), row, **kwargs)
        except ValueError:
            raise ValueError(_("“%(value)s” is not a date: write it as 2026-01-31.") % {
                "value": cell_text(value)}) from None


class YesNoWidget(widgets.BooleanWidget):
    def clean(self, value, row=None, **kwargs):
        text = cell_text(value).lower()
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        raise ValueError(_("Write yes or no, not “%(value)s”.") % {"value": text})

    def render(self, value, obj=None, **kwargs):
        return _("yes") if value else _("no")


class CheckedNumberWidget(widgets.DecimalWidget):
    """A number that `check` accepts (an int if `integer`), or `invalid`."""

    def __init__(self, *, check, invalid, integer=False):
        super().__init__()
        self.check, self.invalid, self.integer = check, invalid, integer

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        try:
            number = Decimal(text)
            if not number.is_finite():
                raise InvalidOperation
            number = int(number) if self.integer else number
        except (InvalidOperation, ValueError):
            raise ValueError(self.invalid % {"value": text}) from None
        if not self.check(number):
            raise ValueError(self.invalid % {"value": text})
        return number


class ScopedLookupWidget(widgets.ForeignKeyWidget):
    """import-export's ForeignKeyWidget, finding a centre, or a tenant or unit
    of the row's centre, among the centres the user may import into. The
    centre column itself says when the centre is wrong; the lookups that
    depend on it then stay quiet rather than repeat it."""

    def __init__(self, model, field="code", *, unknown, missing=None, scope="centre"):
        super().__init__(model, field)
        self.unknown, self.missing, self.scope = unknown, missing, scope
        self.centres: dict[str, int] = {}
        self.objects: dict[tuple[int, str], object] = {}

    def load(self, centres) -> None:
        self.centres = {c.code.upper(): c.pk for c in centres}
        if self.scope == "pk":
            found = centres
        else:
            found = self.model.objects.filter(**{f"{self.scope}__in": list(self.centres.values())})
        attname = "pk" if self.scope == "pk" else f"{self.scope}_id"
        self.objects = {(getattr(o, attname), getattr(o, self.field).upper()): o for o in found}

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            if self.missing:
                raise ValueError(self.missing)
            return None
        centre_id = self.centres.get(cell_text((row or {}).get("centre")).upper())
        if centre_id is None and self.scope != "pk":
            return None
        found = self.objects.get((centre_id, text.upper()))
        if found is None:
            raise ValueError(self.unknown % {"value": text})
        return found


class ScopedUnitsWidget(widgets.ManyToManyWidget):
    """The units a tenant lets, named in one cell (“1F-01、1F-02”): found in
    the row's centre and free or already this tenant's. Written after the
    tenant is saved (import-export's save_m2m), adding to the units it has."""

    def __init__(self):
        super().__init__(model=None, separator="、", field="number")
        self.lookup = ScopedLookupWidget(None, "number", unknown=gettext_lazy("Unknown unit “%(value)s” in this centre."))

    def load(self, centres) -> None:
        from tenants.models import Unit

        self.lookup.model = Unit
        self.lookup.load(centres)

    def clean(self, value, row=None, target=None, **kwargs):
        units = []
        for number in filter(None, UNIT_SPLIT.split(cell_text(value))):
            unit = self.lookup.clean(number, row)
            if unit is not None and unit.tenant_id and unit.tenant_id != getattr(target, "pk", None):
                raise ValueError(_("Unit “%(unit)s” is let to another tenant.") % {"unit": number})
            if unit is not None:
                units.append(unit)
        return units
