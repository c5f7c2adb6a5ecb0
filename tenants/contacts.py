"""Who is a tenant's contact: the link between an account and the shops it
speaks for. Every app asks here (not the Contact table directly), so that an
inactive contact means the same thing everywhere."""

from __future__ import annotations

from tenants.models import Contact


def tenant_contacts_of(user):
    """The active contact records that link `user` to tenants."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Contact.objects.none()
    return Contact.objects.active().filter(user=user).select_related("tenant", "tenant__centre")


def is_tenant_contact(user) -> bool:
    return tenant_contacts_of(user).exists()
