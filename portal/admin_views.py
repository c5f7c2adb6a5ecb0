"""Staff screens of the portal app inside the Wagtail admin: invitations."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .access import centres_for, reaches_centres
from .admin_menu import AdminScreen, MenuEntry
from .form_actions import form_action, form_status
from .forms import InvitationForm
from .models.accounts import Invitation, Role
from .services import invitation_create

INVITER_ROLES = (Role.OPERATIONS, Role.MANAGER)


def can_invite(user) -> bool:
    return reaches_centres(user, INVITER_ROLES)


screen = AdminScreen("invitations/", "portal_invitations",
                     MenuEntry(gettext_lazy("Invitations"), "index", can_invite, "mail", 900))


def invitations_visible_to(user):
    centres = centres_for(user, INVITER_ROLES)
    return (
        Invitation.objects.filter(Q(centre__in=centres) | Q(contact__tenant__centre__in=centres))
        .select_related("centre", "contact__tenant", "invited_by")
        .distinct()
    )


@screen.route("", "index", allow=can_invite)
def invitation_index(request):
    invitations = invitations_visible_to(request.user)[:200]
    return TemplateResponse(request, "portal/admin/invitation_index.html", {
        "invitations": invitations, "page_title": _("Invitations"), "header_icon": "mail",
    })


@screen.route("new/", "new", allow=can_invite)
def invitation_new(request):
    form = InvitationForm(request.POST or None, user=request.user)
    sent = form_action(request, form, lambda data: invitation_create(
        inviter=request.user, email=data["email"], kind=data["kind"], full_name=data["full_name"],
        centre=data.get("centre"), role=data.get("role", ""), department=data.get("department", ""),
        contact=data.get("contact"), request=request,
    ), (PermissionDenied, ValidationError))
    if sent is not None:
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
        return redirect("portal_invitations:index")
    return TemplateResponse(request, "portal/admin/invitation_new.html", {
        "form": form, "page_title": _("Invite someone"), "header_icon": "mail",
    }, status=form_status(form))
