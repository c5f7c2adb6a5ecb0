from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse

from .access import is_staff_member


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # Accounts are created only by invitation (portal.services.invitation_accept).
        return False

    def get_login_redirect_url(self, request):
        if is_staff_member(request.user):
            return reverse("wagtailadmin_home")
        return reverse("portal:tenant_home")
