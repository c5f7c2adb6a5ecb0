from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, reverse_lazy
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from . import views

# Django's admin login goes through allauth, so MFA and rate limits apply.
admin.site.login = secure_admin_login(admin.site.login)
admin.autodiscover()

portal_patterns = (
    [
        path("", views.landing, name="landing"),
        path("my/", views.tenant_home, name="tenant_home"),
        path("invite/<str:token>/", views.invitation_accept_view, name="invitation_accept"),
    ],
    "portal",
)

urlpatterns = [
    # Wagtail's own login form would accept a bare password and skip MFA.
    path("admin/login/", RedirectView.as_view(url=reverse_lazy("account_login"), query_string=True)),
    # Wagtail's deliberate error page (a test of error reporting) would be a
    # 500 that any staff member can cause at will.
    path("admin/failwhale/", views.not_found, name="admin_error_test_off"),
    path("admin/", include(wagtailadmin_urls)),
    path("django-admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("my/fire-safety/", include("notices.fire.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("documents/", include(wagtaildocs_urls)),
    path("visits/", include("visits.urls")),
    path("", include("notices.urls")),
    path("my/requests/", include("tenants.urls")),
    path("my/letters/", include("notices.inbox_urls")),
    path("site/", include("portal.pages.urls")),
    path("alerts/", include("portal.broadcasts.urls")),
    path("", include(portal_patterns)),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    # Static assets only: media is never served as a folder, because uploaded
    # files are confidential and go through views that check access.
    urlpatterns += staticfiles_urlpatterns()

urlpatterns += [path("pages/", include(wagtail_urls))]
