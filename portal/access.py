"""Who may act where: the one place that turns memberships into centres.

Every app's selectors ask this module, never the membership table directly,
so that "operator-wide manager" and "inactive membership" mean the same thing
everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from .models.accounts import Role, StaffMembership
from .models.organisation import Centre

ALL_ROLES = tuple(Role.values)


def _memberships(user, roles: Iterable[str] | None = None) -> QuerySet[StaffMembership]:
    qs = StaffMembership.objects.active().filter(user=user)
    if roles is not None:
        qs = qs.filter(role__in=list(roles))
    return qs


def centres_for(user, roles: Iterable[str] | None = None):
    """The centres in which `user` holds one of `roles` (any role if None)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Centre.objects.none()
    if user.is_superuser:
        return Centre.objects.all()
    memberships = _memberships(user, roles)
    return Centre.objects.filter(
        Q(pk__in=memberships.filter(centre__isnull=False).values("centre"))
        | Q(operator__in=memberships.filter(centre__isnull=True).values("operator"))
    ).distinct()


def has_role(user, centre, *roles: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return (
        _memberships(user, roles or None)
        .filter(Q(centre=centre) | Q(centre__isnull=True, operator_id=centre.operator_id))
        .exists()
    )


def is_staff_member(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or _memberships(user).exists()


def memberships_at(centres) -> QuerySet[StaffMembership]:
    """The memberships (any role, any state) held at one of `centres`,
    operator-wide ones of their operators included."""
    return StaffMembership.objects.filter(
        Q(centre__in=centres) | Q(centre__isnull=True, operator__in=centres.values("operator"))
    )


def users_with_role(centre, *roles: str):
    """Active users holding one of `roles` at `centre` (operator-wide included)."""
    from .models.accounts import User

    memberships = StaffMembership.objects.active().filter(role__in=roles).filter(
        Q(centre=centre) | Q(centre__isnull=True, operator_id=centre.operator_id)
    )
    return User.objects.filter(is_active=True, pk__in=memberships.values("user"))
