from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language
from wagtail import urls as wagtail_urls
from wagtail import views as wagtail_views
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls
from wagtail.documents.views import serve as wagtaildocs_serve

from . import views
from .login_paths import rate_limited_shared_password, to_allauth_login
from .operations.health import HealthView, WorkerHealthView
from .operations.metrics import metrics
from .pages.scoping import scoped_tag_autocomplete

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

# Wagtail's and Django's own login forms take a bare password: no second
# factor, no rate limit. Their addresses only send people to allauth (see
# portal/login_paths.py); the Django admin's is wrapped above.
login_shadows = [
    path("admin/login/", to_allauth_login),
    path("pages/_util/login/", to_allauth_login),
    path(
        "pages/_util/authenticate_with_password/<int:page_view_restriction_id>/<int:page_id>/",
        rate_limited_shared_password(wagtail_views.authenticate_with_password, kind="page"),
        name="wagtailcore_authenticate_with_password",
    ),
    path(
        "documents/authenticate_with_password/<int:restriction_id>/",
        rate_limited_shared_password(wagtaildocs_serve.authenticate_with_password, kind="document"),
        name="wagtaildocs_authenticate_with_password",
    ),
]

# Wagtail admin views that answer every admin user for every centre and offer
# no hook: the same addresses, scoped, matched before wagtailadmin_urls.
scoped_shadows = [
    path("admin/tag-autocomplete/", scoped_tag_autocomplete, name="atrium_tag_autocomplete"),
    path("admin/tag-autocomplete/<app_name>/<model_name>/", scoped_tag_autocomplete,
         name="atrium_tag_model_autocomplete"),
]

# Operations (issue 17): public by design, see portal/operations/.
operations_patterns = [
    path("health/", HealthView.as_view(), name="health"),
    path("health/workers/", WorkerHealthView.as_view(), name="health_workers"),
    path("metrics", metrics, name="metrics"),
]

urlpatterns = [
    *operations_patterns,
    *login_shadows,
    *scoped_shadows,
    # Wagtail's deliberate error page (a test of error reporting) would be a
    # 500 that any staff member can cause at will.
    path("admin/failwhale/", views.not_found, name="admin_error_test_off"),
    path("admin/", include(wagtailadmin_urls)),
    path("django-admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("my/fire-safety/", include("notices.fire.urls")),
    # Exempt from CSRF: a forged switch can only change the victim's display
    # language, and a token in the header of every page would set a csrftoken
    # cookie on public pages, which no shared cache may then keep.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("documents/", include(wagtaildocs_urls)),
    path("visits/", include("visits.urls")),
    path("", include("notices.urls")),
    path("my/requests/", include("tenants.urls")),
    path("feedback/", include("tenants.feedback.urls")),
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
