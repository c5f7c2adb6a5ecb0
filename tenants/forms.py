from django.utils.translation import gettext_lazy as _

from portal.admin_scoping import ScopedAdminForm

from .models import Operator, Tenant
from .selectors import archive_centres_editable_by, centres_editable_by


def _editable_tenants(user):
    return Tenant.objects.filter(centre__in=archive_centres_editable_by(user))


def _operators_of(user):
    return Operator.objects.filter(centres__in=centres_editable_by(user)).distinct()


class CentreForm(ScopedAdminForm):
    scoped_fields = {"operator": _operators_of}


class TenantForm(ScopedAdminForm):
    scoped_fields = {"centre": archive_centres_editable_by}

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("lease_start"), cleaned.get("lease_end")
        if start and end and end < start:
            self.add_error("lease_end", _("The lease cannot end before it starts."))
        return cleaned


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


class ContactForm(ScopedAdminForm):
    scoped_fields = {"tenant": _editable_tenants}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("may_sign") and not cleaned.get("email"):
            self.add_error("email", _("A contact who may sign needs an email address to receive letters."))
        return cleaned


