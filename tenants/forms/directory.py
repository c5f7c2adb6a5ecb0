"""Forms of the archive's directory in the admin: centres, tenants, units
and contacts, each limited to what the editor may reach, with the
confidential fields left out for those who may not see them."""

from django.utils.translation import gettext_lazy as _

from portal.admin_scoping import ScopedAdminForm
from tenants.forms import DatesInOrder
from tenants.models import (
    CONFIDENTIAL_CONTACT_FIELDS,
    CONFIDENTIAL_TENANT_FIELDS,
    Operator,
    Tenant,
)
from tenants.selectors.archive import has_confidential_permission, may_see_confidential
from tenants.selectors.directory import (
    archive_centres_editable_by,
    centres_editable_by,
)


def _editable_tenants(user):
    return Tenant.objects.filter(centre__in=archive_centres_editable_by(user))


def _operators_of(user):
    return Operator.objects.filter(centres__in=centres_editable_by(user)).distinct()


class CentreForm(ScopedAdminForm):
    scoped_fields = {"operator": _operators_of}


class ConfidentialFieldsMixin:
    """Confidential fields leave the form (so they are neither shown nor
    overwritten) unless the editor may see this tenant's confidential
    records; a new record needs the permission itself."""

    confidential_fields: tuple[str, ...] = ()

    def _drop_confidential(self, tenant):
        user = self.for_user
        allowed = may_see_confidential(user, tenant) if tenant is not None else has_confidential_permission(user)
        if not allowed:
            for name in self.confidential_fields:
                self.fields.pop(name, None)


class TenantForm(DatesInOrder, ConfidentialFieldsMixin, ScopedAdminForm):
    scoped_fields = {"centre": archive_centres_editable_by}
    confidential_fields = CONFIDENTIAL_TENANT_FIELDS
    dates_in_order = ("lease_start", "lease_end", _("The lease cannot end before it starts."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._drop_confidential(self.instance if self.instance.pk else None)


class UnitForm(ScopedAdminForm):
    scoped_fields = {"centre": archive_centres_editable_by, "tenant": _editable_tenants}

    def clean(self):
        cleaned = super().clean()
        centre, tenant = cleaned.get("centre"), cleaned.get("tenant")
        if centre and tenant and tenant.centre_id != centre.pk:
            self.add_error("tenant", _("The tenant trades in another centre."))
        if cleaned.get("floor") == 0:
            self.add_error("floor", _("There is no floor 0: use 1 for the ground floor and -1 for B1."))
        return cleaned


class ContactForm(ConfidentialFieldsMixin, ScopedAdminForm):
    scoped_fields = {"tenant": _editable_tenants}
    confidential_fields = CONFIDENTIAL_CONTACT_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._drop_confidential(self.instance.tenant if self.instance.pk else None)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("may_sign") and not cleaned.get("email"):
            self.add_error("email", _("A contact who may sign needs an email address to receive letters."))
        return cleaned
