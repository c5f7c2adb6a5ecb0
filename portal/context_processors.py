from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from portal.access import is_staff_member


def portal(request):
    # The product's name in the reader's language; settings.WAGTAIL_SITE_NAME
    # (the brand alone) is what Wagtail falls back to where no Site names itself.
    # PORTAL_SIDE under the brand of the account pages (allauth's layout):
    # staff set up their password and second factor there too, and are not on
    # the tenant portal. Lazy: the pages that do not show it ask nothing.
    user = getattr(request, "user", None)
    return {
        "ATRIUM_SITE_NAME": _("Atrium tenant-relations portal"),
        "PORTAL_SIDE": SimpleLazyObject(lambda: _("Staff account") if is_staff_member(user) else _("Tenant portal")),
    }
