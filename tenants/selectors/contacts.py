"""Who is a tenant's contact: the link between an account and the shops it
speaks for. Every app asks here (not the Contact table directly), so that an
inactive contact means the same thing everywhere."""

from __future__ import annotations

from tenants.models import Contact, Tenant


def tenant_contacts_of(user):
    """The active contact records that link `user` to tenants."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Contact.objects.none()
    return Contact.objects.active().filter(user=user).select_related("tenant", "tenant__centre")


def is_tenant_contact(user) -> bool:
    return tenant_contacts_of(user).exists()


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
