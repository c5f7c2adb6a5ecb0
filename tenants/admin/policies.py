"""Wagtail permission policies of the tenants app's snippets. Which rows
each person reaches is the scoped viewset's business (portal.admin_scoping);
these answer only "may this person use the screen at all" — but for the
per-centre settings tables, whose policy, form and viewset are one rule and
live together here."""

from django.db.models import Q
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from portal.access import reaches_centres
from portal.admin_scoping import ScopedAdminForm, ScopedSnippetViewSet
from portal.models.accounts import StaffMembership, User
from tenants.selectors.directory import (
    ARCHIVE_ROLES,
    CENTRE_EDIT_ROLES,
    centres_editable_by,
)
from tenants.selectors.requests import REQUEST_HANDLE_ROLES


def _members_or_superusers(roles):
    members = StaffMembership.objects.active().filter(role__in=roles).values("user")
    return User.objects.filter(Q(pk__in=members) | Q(is_superuser=True, is_active=True))


class CentreSettingPermissionPolicy(BasePermissionPolicy):
    """The per-centre settings tables (request deadlines, visit frequency of
    special tenants): like the centre itself, the centre manager's to set."""

    def user_has_permission(self, user, action):
        if action not in ("view", "add", "change"):
            return False
        # Asked once per menu item and button on a page: read from the
        # memberships the request already holds.
        return reaches_centres(user, CENTRE_EDIT_ROLES)

    def users_with_any_permission(self, actions):
        return _members_or_superusers(CENTRE_EDIT_ROLES)


class CentreSettingForm(ScopedAdminForm):
    scoped_fields = {"centre": centres_editable_by}


class CentreSettingViewSet(ScopedSnippetViewSet):
    """A per-centre settings table (a `centre` and its values): reached from
    the centre's settings, not the menu; rows and choices of the centres the
    user may edit, under CentreSettingPermissionPolicy. Subclasses give the
    model, icon and label, and `setting_fields`, the values after the
    centre: the listing's columns and the form's fields, one a row unless
    `setting_panels` lays them out."""

    add_to_admin_menu = False
    setting_fields: tuple[str, ...] = ()
    setting_panels: list | None = None

    def __init__(self, *args, **kwargs):
        # With the viewset, which the app's wagtail_hooks registers as it
        # loads: before anything asks Wagtail for the model's policy (it
        # would make a fallback one, and refuse this one after it).
        register_permission_policy(self.model, CentreSettingPermissionPolicy(self.model), exact_class=True)
        super().__init__(*args, **kwargs)

    @property
    def list_display(self):
        return ["centre", *self.setting_fields]

    def get_edit_handler(self):
        panels = self.setting_panels or [FieldPanel(name) for name in self.setting_fields]
        return ObjectList([FieldPanel("centre"), *panels], base_form_class=CentreSettingForm).bind_to_model(self.model)

    def scope(self, user):
        return self.model.objects.filter(centre__in=centres_editable_by(user)).select_related("centre")


class DeskRecordPermissionPolicy(BasePermissionPolicy):
    """The service desk's records (the request log, the storage log): the
    archive roles read them, the request handlers record them; "change" and
    "delete" are nobody's, because changes are the services' actions."""

    def user_has_permission(self, user, action):
        if action not in ("view", "add"):
            return False
        # Asked once per row by the listing's buttons: read from the
        # memberships the request already holds.
        return reaches_centres(user, ARCHIVE_ROLES if action == "view" else REQUEST_HANDLE_ROLES)

    def users_with_any_permission(self, actions):
        roles = set(ARCHIVE_ROLES) if "view" in actions else set()
        if "add" in actions:
            roles |= set(REQUEST_HANDLE_ROLES)
        return _members_or_superusers(roles)
