"""Who sees which tenant records. Views, admin screens and later apps ask
here; nothing re-derives centre scoping on its own."""

from __future__ import annotations

from portal.access import centres_for, tenant_contacts_of
from portal.models.accounts import Role

from .models import Centre, Contact, Tenant, Unit

# Roles that work with tenant archives. Web editors/reviewers publish pages
# and have no business in the archive.
ARCHIVE_ROLES = (Role.OPERATIONS, Role.DRAFTER, Role.LEADER, Role.SEAL_KEEPER, Role.MANAGER)
ARCHIVE_EDIT_ROLES = (Role.OPERATIONS,)
CENTRE_EDIT_ROLES = (Role.MANAGER,)


def centres_visible_to(user):
    return centres_for(user, ARCHIVE_ROLES)


def centres_editable_by(user):
    return centres_for(user, CENTRE_EDIT_ROLES)


def archive_centres_editable_by(user):
    return centres_for(user, ARCHIVE_EDIT_ROLES)


def tenants_visible_to(user):
    return Tenant.objects.filter(centre__in=centres_visible_to(user))


def units_visible_to(user):
    return Unit.objects.filter(centre__in=centres_visible_to(user))


def contacts_visible_to(user):
    return Contact.objects.filter(tenant__centre__in=centres_visible_to(user))


def tenants_of_contact(user):
    """The tenants a tenant-side user speaks for."""
    return Tenant.objects.filter(pk__in=tenant_contacts_of(user).values("tenant"))


def tenant_home_for(user) -> list[dict]:
    """What the tenant home shows: one block per tenant the user is a contact of."""
    contacts = list(tenant_contacts_of(user).prefetch_related("tenant__units"))
    return [
        {
            "contact": c,
            "tenant": c.tenant,
            "centre": c.tenant.centre,
            "units": list(c.tenant.units.all()),
        }
        for c in contacts
    ]


def centre_by_pk_for(user, pk) -> Centre | None:
    return centres_visible_to(user).filter(pk=pk).first()
