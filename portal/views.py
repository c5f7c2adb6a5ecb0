from allauth.account import app_settings as account_settings
from allauth.account.utils import perform_login
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from tenants.feedback.selectors import unseen_replies_for
from tenants.models import Centre
from tenants.selectors.contacts import is_tenant_contact, tenant_home_for

from .access import is_staff_member
from .forms import AcceptInvitationForm
from .pages.cache import mark_public
from .services import (
    InvitationUnusable,
    contact_still_invitable,
    invitation_accept,
    invitation_by_token,
)


@require_GET
def landing(request):
    if request.user.is_authenticated:
        if is_tenant_contact(request.user):
            return redirect("portal:tenant_home")
        if is_staff_member(request.user):
            return redirect("wagtailadmin_home")
        return render(request, "portal/no_access.html", status=403)
    centres = Centre.objects.select_related("home_page").order_by("name")
    response = render(request, "portal/landing.html", {"centres": centres})
    mark_public(response)
    return response


@login_required
@require_GET
def tenant_home(request):
    blocks = tenant_home_for(request.user)
    if not blocks:
        if is_staff_member(request.user):
            return redirect("wagtailadmin_home")
        raise PermissionDenied
    return render(request, "portal/tenant_home.html",
                  {"blocks": blocks, "board_answers": unseen_replies_for(request.user)})


_UNUSABLE_MESSAGES = {
    "invalid": gettext_lazy("This invitation link is not valid. Check that you copied the whole link from the email."),
    "expired": gettext_lazy("This invitation has expired. Ask the centre's staff to send you a new one."),
    "accepted": gettext_lazy("This invitation has already been used. If it was you, sign in with your email and password."),
    "revoked": gettext_lazy("This invitation was withdrawn. Ask the centre's staff if you need access."),
    "outdated": gettext_lazy("The centre has changed this contact since the invitation was sent. Ask the centre's "
                             "staff to send you a new one."),
}


@never_cache
def invitation_accept_view(request, token):
    invitation = invitation_by_token(token)
    state = invitation.state if invitation else "invalid"
    if state == "pending" and invitation.contact_id and not contact_still_invitable(invitation.contact, invitation):
        state = "outdated"
    if state != "pending":
        return _unusable(request, state)
    form = AcceptInvitationForm(request.POST or None, email=invitation.email, initial={"full_name": invitation.full_name})
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_accept(
                token=token,
                password=form.cleaned_data["password1"],
                full_name=form.cleaned_data["full_name"],
                request=request,
            )
        except InvitationUnusable as exc:
            return _unusable(request, exc.state)
        messages.success(request, _("Welcome to Atrium. Your account is ready."))
        # Through allauth's login, not django's login(): its stages (MFA where
        # the person has it), its authentication record (what re-authentication
        # and the staff MFA check read) and its signals run as for any sign-in.
        # The email is verified: the invitation link reached that mailbox.
        user.backend = "django.contrib.auth.backends.ModelBackend"
        return perform_login(request, user, email_verification=account_settings.EmailVerificationMethod.NONE,
                             redirect_url=reverse("portal:landing"))
    return render(request, "portal/invitation_accept.html", {"form": form, "invitation": invitation})


def _unusable(request, state):
    return render(
        request, "portal/invitation_unusable.html", {"message": _UNUSABLE_MESSAGES[state], "state": state}, status=410 if state != "invalid" else 404
    )


def not_found(request):
    raise Http404
