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
from .request_memo import remember

ALL_ROLES = tuple(Role.values)


def _memberships(user, roles: Iterable[str] | None = None) -> QuerySet[StaffMembership]:
    qs = StaffMembership.objects.active().filter(user=user)
    if roles is not None:
        qs = qs.filter(role__in=list(roles))
    return qs


def _held(user) -> tuple[tuple[str, int | None, int], ...]:
    """(role, centre id or None for operator-wide, operator id) of each
    active membership: one query per request, every answer below is read
    from it."""
    return remember(
        ("memberships", user.pk),
        lambda: tuple(_memberships(user).values_list("role", "centre_id", "operator_id")),
    )


def _operator_centre_ids(operator_ids: frozenset[int]) -> frozenset[int]:
    if not operator_ids:
        return frozenset()
    return remember(
        ("operator_centres", operator_ids),
        lambda: frozenset(Centre.objects.filter(operator_id__in=operator_ids).values_list("pk", flat=True)),
    )


def centre_ids_for(user, roles: Iterable[str] | None = None) -> frozenset[int]:
    """The ids of `centres_for(user, roles)`, remembered for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return remember("all_centres", lambda: frozenset(Centre.objects.values_list("pk", flat=True)))
    wanted = None if roles is None else set(roles)
    held = [(centre, operator) for role, centre, operator in _held(user) if wanted is None or role in wanted]
    wide = frozenset(operator for centre, operator in held if centre is None)
    return frozenset(centre for centre, _ in held if centre is not None) | _operator_centre_ids(wide)


def centres_for(user, roles: Iterable[str] | None = None):
    """The centres in which `user` holds one of `roles` (any role if None).
    An empty answer is `none()`, which costs no query wherever it is used."""
    ids = centre_ids_for(user, roles)
    if not ids:
        return Centre.objects.none()
    return Centre.objects.filter(pk__in=sorted(ids))


def reaches_centres(user, roles: Iterable[str] | None = None) -> bool:
    """Whether `user` holds one of `roles` anywhere (a menu's question)."""
    return bool(centre_ids_for(user, roles))


def has_role(user, centre, *roles: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(
        (not roles or role in roles) and (centre_id == centre.pk or (centre_id is None and operator_id == centre.operator_id))
        for role, centre_id, operator_id in _held(user)
    )


def is_staff_member(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or bool(user.is_active and _held(user))


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
