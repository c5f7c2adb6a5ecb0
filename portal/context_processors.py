from django.utils.translation import gettext as _


def portal(request):
    # The product's name in the reader's language; settings.WAGTAIL_SITE_NAME
    # (the brand alone) is what Wagtail falls back to where no Site names itself.
    return {"ATRIUM_SITE_NAME": _("Atrium tenant-relations portal")}
