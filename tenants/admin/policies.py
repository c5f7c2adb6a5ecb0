"""Permission policy shared by the per-centre settings tables (request
deadlines, visit frequency of special tenants): like the centre itself, they
are the centre manager's to set. Which rows each manager reaches is the
scoped viewset's business (portal.admin_scoping)."""

from django.db.models import Q
from wagtail.permission_policies.base import BasePermissionPolicy

from portal.models.accounts import StaffMembership, User
from tenants.selectors.directory import CENTRE_EDIT_ROLES, centres_editable_by


class CentreSettingPermissionPolicy(BasePermissionPolicy):
    def user_has_permission(self, user, action):
        if action not in ("view", "add", "change"):
            return False
        # Asked once per menu item and button on a page: answer once per request.
        cache = user.__dict__.setdefault("_centre_setting_perms", {})
        if "any" not in cache:
            cache["any"] = centres_editable_by(user).exists()
        return cache["any"]

    def users_with_any_permission(self, actions):
        members = StaffMembership.objects.active().filter(role__in=CENTRE_EDIT_ROLES).values("user")
        return User.objects.filter(Q(pk__in=members) | Q(is_superuser=True, is_active=True))
