"""Which centres, tenants, units and contacts staff reach, and who works at
a centre."""

from __future__ import annotations

import re

from django.db.models import Q

from portal.access import centres_for, has_role
from portal.models.accounts import Role, StaffMembership, User
from tenants.models import Centre, Contact, Tenant, Unit

# Roles that work with tenant archives. Web editors/reviewers publish pages
# and have no business in the archive.
# The web follow-up officer reads them too: the posts they follow are requests
# of the centre's tenants.
ARCHIVE_ROLES = (Role.OPERATIONS, Role.DRAFTER, Role.LEADER, Role.SEAL_KEEPER, Role.MANAGER, Role.WEB_FOLLOWUP)
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


_WORDS = re.compile(r"[\w-]+")
TENANT_MATCH_FIELDS = ("code", "trading_name", "legal_name")


def matching_words(queryset, query: str, fields=TENANT_MATCH_FIELDS):
    """Records where every word of `query` appears in one of `fields`.
    Substring matching finds "火锅" in "蜀香火锅" without segmentation, and,
    unlike ranking every match in the full-text index, stays fast when
    thousands match. Used wherever staff look a shop up by code or name."""
    for word in _WORDS.findall(query or "")[:10]:
        matches = Q()
        for field in fields:
            matches |= Q(**{f"{field}__icontains": word})
        queryset = queryset.filter(matches)
    return queryset


def centre_by_pk_for(user, pk) -> Centre | None:
    return centres_visible_to(user).filter(pk=pk).first()


def is_centre_manager(user, centre) -> bool:
    return has_role(user, centre, *CENTRE_EDIT_ROLES)


def assignable_staff(centre):
    """Staff who may be given a request of `centre`: anyone working there."""
    memberships = StaffMembership.objects.active().filter(
        Q(centre=centre) | Q(centre__isnull=True, operator_id=centre.operator_id)
    ).exclude(role__in=[Role.WEB_EDITOR, Role.WEB_REVIEWER])
    return User.objects.filter(pk__in=memberships.values("user")).order_by("full_name", "email")


def web_followup_officer(centre):
    """The centre's designated web follow-up officer (4.16), if it has one:
    the longest-serving, so the choice does not move from post to post."""
    membership = (
        StaffMembership.objects.active().filter(centre=centre, role=Role.WEB_FOLLOWUP)
        .select_related("user").order_by("created_at", "pk").first()
    )
    return membership.user if membership else None


def centre_managers(centre):
    memberships = StaffMembership.objects.active().filter(role=Role.MANAGER).filter(
        Q(centre=centre) | Q(centre__isnull=True, operator_id=centre.operator_id)
    )
    return User.objects.filter(pk__in=memberships.values("user"))
