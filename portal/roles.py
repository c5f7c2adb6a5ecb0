"""Role → Django permissions, held as one auth Group per role.

Model-level permissions ("may edit tenants at all") live in Groups so that
Wagtail's admin menus and permission policies work unchanged; which centre's
records a person reaches is decided by `portal.access` from their memberships.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from .models.accounts import Role, StaffMembership

GROUP_NAMES = {
    Role.OPERATIONS: "营运服务人员 Operations staff",
    Role.DRAFTER: "部门拟稿人 Department drafter",
    Role.LEADER: "领导 Leader",
    Role.SEAL_KEEPER: "总经办用章 Seal keeper",
    Role.MANAGER: "经理/审计 Manager-auditor",
    Role.WEB_EDITOR: "网站编辑 Web editor",
    Role.WEB_REVIEWER: "网站审核 Web reviewer",
    Role.WEB_FOLLOWUP: "网络跟进专员 Web follow-up officer",
}

_VIEW_ARCHIVE = ["portal.view_centre", "tenants.view_tenant", "tenants.view_unit", "tenants.view_contact"]
_EDIT_ARCHIVE = [
    "tenants.add_tenant", "tenants.change_tenant",
    "tenants.add_unit", "tenants.change_unit",
    "tenants.add_contact", "tenants.change_contact",
]
_ADMIN = ["wagtailadmin.access_admin"]

_VIEW_LETTERS = ["notices.view_letter"]
_DRAFT_LETTERS = ["notices.add_letter", "notices.change_letter", "notices.view_letter"]
_SEAL_REGISTER = ["notices.view_sealuse"]
_TEMPLATE = ["notices.view_lettertemplate", "notices.change_lettertemplate"]
# The feedback board (4.16): the follow-up officer drafts replies, follows hot
# issues and keeps the telephone block; approving is by workflow, not by these.
_BOARD = [
    "tenants.view_feedbackpost",
    "tenants.add_feedbackreply", "tenants.change_feedbackreply", "tenants.view_feedbackreply",
    "tenants.add_hotissue", "tenants.change_hotissue", "tenants.view_hotissue",
    "tenants.add_phoneblock", "tenants.change_phoneblock", "tenants.view_phoneblock",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.OPERATIONS: _ADMIN + _VIEW_ARCHIVE + _EDIT_ARCHIVE + _VIEW_LETTERS + ["portal.add_invitation"],
    Role.DRAFTER: _ADMIN + _VIEW_ARCHIVE + _DRAFT_LETTERS,
    Role.LEADER: _ADMIN + _VIEW_ARCHIVE + _VIEW_LETTERS + _SEAL_REGISTER,
    Role.SEAL_KEEPER: _ADMIN + _VIEW_ARCHIVE + _VIEW_LETTERS + _SEAL_REGISTER + _TEMPLATE,
    Role.MANAGER: _ADMIN + _VIEW_ARCHIVE + _VIEW_LETTERS + _SEAL_REGISTER + _TEMPLATE
    + ["portal.change_centre", "portal.add_invitation", "portal.view_auditevent"],
    Role.WEB_EDITOR: _ADMIN,
    Role.WEB_REVIEWER: _ADMIN,
    Role.WEB_FOLLOWUP: _ADMIN + _VIEW_ARCHIVE + _BOARD,
}


def _permission(dotted: str) -> Permission | None:
    app_label, codename = dotted.split(".")
    return Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()


@transaction.atomic
def sync_role_groups() -> None:
    """Create or update the role groups; safe to run on every migrate."""
    for role, name in GROUP_NAMES.items():
        group, _ = Group.objects.get_or_create(name=name)
        perms = [p for p in (_permission(d) for d in ROLE_PERMISSIONS[role]) if p is not None]
        group.permissions.set(perms)


def sync_user_groups(user) -> None:
    """Give a user exactly the role groups of their active memberships."""
    roles = set(StaffMembership.objects.filter(user=user, active=True).values_list("role", flat=True))
    wanted = set(Group.objects.filter(name__in=[GROUP_NAMES[r] for r in roles]))
    role_groups = Group.objects.filter(name__in=GROUP_NAMES.values())
    current = set(user.groups.filter(pk__in=role_groups))
    user.groups.remove(*(current - wanted))
    user.groups.add(*(wanted - current))
