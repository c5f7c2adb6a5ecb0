from allauth.mfa.models import Authenticator
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from .access import is_staff_member

# Paths a staff member without MFA may still reach: enrolling, logging out,
# the assets those pages need.
_OPEN_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/invite/")


class StaffMFAMiddleware:
    """When ATRIUM_STAFF_MFA_REQUIRED is on, staff must enrol TOTP before anything else.

    Login already asks for the second factor of anyone who has one (allauth);
    this closes the gap of a staff account that never enrolled."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.ATRIUM_STAFF_MFA_REQUIRED
            and request.user.is_authenticated
            and not request.path.startswith(_OPEN_PREFIXES)
            and is_staff_member(request.user)
            and not Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP).exists()
        ):
            return redirect(reverse("mfa_activate_totp") + "?next=" + request.path)
        return self.get_response(request)


class AtriumCSPMiddleware(CSPMiddleware):
    """The strict policy everywhere, except that Wagtail's admin may run the
    inline scripts its widgets still emit (choosers, inline panels, date
    pickers). The tenant side and public pages keep script-src 'self'."""

    ADMIN_PREFIXES = ("/admin/", "/django-admin/")

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and request.path.startswith(self.ADMIN_PREFIXES) and parts.update is None:
            parts.update = {"script-src": ["'unsafe-inline'"]}
        return parts
