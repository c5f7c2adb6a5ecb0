from django.conf import settings


def portal(request):
    return {"ATRIUM_SITE_NAME": settings.WAGTAIL_SITE_NAME}
