"""Django admin for the operator's administrator (superuser): accounts and
memberships. Staff work in the Wagtail admin; this is the back office."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, SetUnusablePasswordMixin
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent, Invitation, StaffMembership, User


class MembershipInline(admin.TabularInline):
    model = StaffMembership
    extra = 0
    fields = ["operator", "centre", "role", "department", "active"]


# The titles name the product, not Django ("Django 站点管理员").
admin.site.site_header = admin.site.site_title = _("Atrium back office")


class PasswordChangeForm(AdminPasswordChangeForm):
    """Django builds this help text when its module is imported (in whichever
    language was active then) and leaves its warning unmarked: built here for
    each reader."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "usable_password" in self.fields:
            self.fields["usable_password"].help_text = format_lazy(
                '{}<ul id="id_unusable_warning" class="messagelist"><li class="warning">{}</li></ul>',
                SetUnusablePasswordMixin.usable_password_help_text,
                _("If disabled, the current password for this user will be lost."),
            )


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_superuser", "last_login"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("full_name", "phone")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    inlines = [MembershipInline]
    change_password_form = PasswordChangeForm


@admin.register(StaffMembership)
class StaffMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "centre", "operator", "department", "active"]
    list_filter = ["role", "operator", "centre", "active"]
    search_fields = ["user__email", "user__full_name"]
    autocomplete_fields = ["user"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "kind", "role", "centre", "contact", "invited_by", "created_at", "expires_at", "accepted_at"]
    list_filter = ["kind", "role"]
    search_fields = ["email"]
    readonly_fields = [f.name for f in Invitation._meta.fields]

    def has_add_permission(self, request):
        # Invitations are created through the service, which emails the token.
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_repr", "action", "object_repr", "centre", "evidence"]
    list_filter = ["action", "evidence", "centre"]
    search_fields = ["actor_repr", "object_repr", "action"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
    # A filtered page does not also count the whole table.
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
