from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from .access import is_staff_member

# Paths a staff member without MFA may still reach: enrolling, proving the
# second factor, logging out, the assets those pages need.
_OPEN_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/invite/")


def needs_second_factor(user) -> bool:
    """Anyone who can reach a staff page: a centre role, the superuser, Django's
    is_staff (the Django admin), or Wagtail admin access by any other group."""
    return (
        user.is_superuser
        or user.is_staff
        or is_staff_member(user)
        or user.has_perm("wagtailadmin.access_admin")
    )


def session_passed_second_factor(request) -> bool:
    """What this session proved, as allauth recorded it at login or at
    reauthentication: a TOTP or recovery code gives {"method": "mfa", ...}.
    A session opened any other way (a password alone, an invitation, a session
    from before the rule) has no such record."""
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


class StaffMFAMiddleware:
    """When ATRIUM_STAFF_MFA_REQUIRED is on, a staff session must have passed
    the second factor before it reaches anything but the account pages.

    No TOTP yet: enrol first. TOTP enrolled but this session did not use it:
    allauth's own reauthentication with the code (rate limited like login),
    then back to the page asked for. Tenants are not concerned."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.ATRIUM_STAFF_MFA_REQUIRED
            and request.user.is_authenticated
            and not request.path.startswith(_OPEN_PREFIXES)
            # The session's own record first: a staff session that passed the
            # second factor costs no query on each request.
            and not session_passed_second_factor(request)
            and needs_second_factor(request.user)
        ):
            enrolled = Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP).exists()
            target = reverse("mfa_reauthenticate" if enrolled else "mfa_activate_totp")
            return redirect(target + "?" + urlencode({"next": request.get_full_path()}))
        return self.get_response(request)


class AdminEntranceMiddleware:
    """A signed-in account without Wagtail admin access (a tenant contact)
    opening /admin/ gets a plain page pointing to their own home. Wagtail would
    send it to the login page, which sends a signed-in user straight back to
    /admin/: a loop until the browser gives up."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.path.startswith("/admin/")
            and request.user.is_authenticated
            and not request.user.has_perm("wagtailadmin.access_admin")
        ):
            return render(request, "portal/admin_refused.html", status=403)
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
