"""One login path: every way to authenticate goes through allauth (password,
second factor, rate limits), and staff pages answer only sessions that passed
the second factor.

Run under the production auth settings: `production_auth` turns on what
portal/settings/production.py turns on for accounts, and
`test_the_fixture_mirrors_production` checks that against the real
production settings module in a subprocess.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal import auth as totp
from django.conf import settings
from django.test import Client, override_settings
from django.urls import get_resolver, resolve, reverse
from django.urls.resolvers import RoutePattern, URLPattern, URLResolver

from tests.base import PASSWORD, make_user

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
# What production turns on for accounts (portal/settings/production.py).
PRODUCTION_AUTH = {"ATRIUM_STAFF_MFA_REQUIRED": True}
AUTH_SETTING_NAMES = (
    "ATRIUM_STAFF_MFA_REQUIRED", "ACCOUNT_RATE_LIMITS", "AUTHENTICATION_BACKENDS", "LOGIN_URL",
    "WAGTAILADMIN_LOGIN_URL", "WAGTAIL_FRONTEND_LOGIN_URL", "MIDDLEWARE", "MFA_SUPPORTED_TYPES",
    "ACCOUNT_LOGIN_METHODS", "WAGTAIL_PRIVATE_PAGE_OPTIONS", "WAGTAILDOCS_PRIVATE_COLLECTION_OPTIONS",
)  # fmt: skip


@pytest.fixture
def production_auth():
    with override_settings(**PRODUCTION_AUTH):
        yield


@pytest.fixture
def root(db):
    return make_user("root@a.test", is_superuser=True, is_staff=True)


def enrol_totp(user) -> str:
    secret = totp.generate_totp_secret()
    totp.TOTP.activate(user, secret)
    return secret


def current_code(secret: str) -> str:
    import time

    from allauth.mfa import app_settings as mfa_settings

    period = mfa_settings.TOTP_PERIOD
    if period - time.time() % period < 2:
        time.sleep(2)  # the code would expire before allauth checks it
    return totp.format_hotp_value(totp.hotp_value(secret, int(time.time()) // period))


def logged_in(client: Client):
    return "_auth_user_id" in client.session


def allauth_login(client: Client, email: str, password: str = PASSWORD, next_url: str = ""):
    data = {"login": email, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("account_login"), data)


def path_of(response) -> str:
    return urlparse(response["Location"]).path


# --- the production settings ------------------------------------------------


def test_the_fixture_mirrors_production():
    """The in-process tests below run the production auth settings: the same
    values as portal.settings.production, read in a subprocess."""
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "SECRET_KEY")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "portal.settings.production", "ALLOWED_HOSTS": "portal.example.cn",
        "SECRET_KEY": "k7#Qz!v9@Lm2$Rt5^Wp8&Yx1*Bn4(Cd6)Fg3_Hj0+Ks9-Ue2=Ow7",
        "WAGTAILADMIN_BASE_URL": "https://portal.example.cn", "ATRIUM_VAR_DIR": str(ROOT / "var" / "test-login-paths"),
        "ATRIUM_AUDIT_KEY": "a-separate-evidence-key-" + "0123456789abcdef" * 2,
        "ATRIUM_AUDIT_ANCHOR_DIR": str(ROOT / "var" / "test-login-paths" / "audit"),
    })  # fmt: skip
    code = (
        "import json, django; django.setup(); from django.conf import settings as s;"
        f"print(json.dumps({{n: getattr(s, n, None) for n in {AUTH_SETTING_NAMES!r}}}, default=list))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    production = json.loads(out.stdout.strip().splitlines()[-1])
    with override_settings(**PRODUCTION_AUTH):
        here = json.loads(json.dumps({n: getattr(settings, n, None) for n in AUTH_SETTING_NAMES}, default=list))
    assert here == production


# --- Wagtail's front-end login ----------------------------------------------


def test_wagtails_front_end_login_never_accepts_a_password(client, world, root, production_auth):
    enrol_totp(root)
    for user in (world.ops_a, root):
        response = client.post(
            "/pages/_util/login/", {"username": user.email, "password": PASSWORD, "next": "/admin/"}
        )
        assert not logged_in(client), f"{user} was logged in with a password alone"
        assert response.status_code == 302 and path_of(response) == reverse("account_login")
        assert parse_qs(urlparse(response["Location"]).query).get("next") == ["/admin/"]
        assert client.get("/admin/").status_code == 302
        assert client.get("/django-admin/").status_code == 302


def test_wagtails_login_name_leads_to_allauth(client, db):
    response = client.get(reverse("wagtailcore_login") + "?next=/pages/")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login") + "?next=/pages/"


@pytest.mark.parametrize("url", ["/pages/_util/login/", "/admin/login/", "/django-admin/login/"])
def test_thirty_passwords_on_the_other_login_forms_are_never_checked(client, world, url, production_auth):
    """These addresses only redirect: a password posted there is not even
    compared, so guessing there learns nothing; allauth's form is the only
    place a password is checked, and it is rate limited (next test)."""
    for attempt in range(30):
        response = client.post(url, {"username": "ops@a.test", "password": f"guess-{attempt}"})
        assert response.status_code == 302 and path_of(response) == reverse("account_login")
    response = client.post(url, {"username": "ops@a.test", "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 302 and path_of(response) == reverse("account_login")
    assert not logged_in(client)


def test_allauths_login_refuses_the_right_password_after_five_wrong_ones(client, world, production_auth):
    for _ in range(5):
        assert allauth_login(client, "ops@a.test", "wrong-password").status_code == 200
    response = allauth_login(client, "ops@a.test")
    assert response.status_code in (200, 429)
    assert not logged_in(client)


# --- the second factor --------------------------------------------------------


def test_staff_with_totp_reach_the_admin_only_after_the_code(client, world, production_auth):
    secret = enrol_totp(world.ops_a)
    response = allauth_login(client, "ops@a.test", next_url="/admin/")
    assert response.status_code == 302 and path_of(response) == reverse("mfa_authenticate")
    assert not logged_in(client)
    response = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert response.status_code == 302 and path_of(response) == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_superuser_reaches_the_django_admin_only_after_the_code(client, root, production_auth):
    secret = enrol_totp(root)
    response = allauth_login(client, "root@a.test", next_url="/django-admin/")
    assert path_of(response) == reverse("mfa_authenticate")
    assert client.get("/django-admin/").status_code == 302
    response = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert path_of(response) == "/django-admin/"
    assert client.get("/django-admin/").status_code == 200


def test_wrong_codes_are_rate_limited(client, world, production_auth):
    secret = enrol_totp(world.ops_a)
    allauth_login(client, "ops@a.test", next_url="/admin/")
    for _ in range(5):
        response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
        assert response.status_code == 200
    response = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert not logged_in(client)


STAFF_URLS = [
    "/admin/", "/admin/api/main/pages/", "/django-admin/", "/visits/", "/visits/meetings/", "/visits/photos/1/",
    "/documents/1/plan.pdf", "/my/",
]  # fmt: skip


@pytest.mark.parametrize("url", STAFF_URLS)
def test_a_session_that_did_not_pass_the_second_factor_reaches_no_staff_page(client, world, root, url, production_auth):
    """A password-only session (here: force_login, which records no
    authentication at all — like a session from before this rule, or from any
    path that skipped allauth) is sent to prove the second factor."""
    for user in (world.ops_a, root):
        enrol_totp(user)
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 302, f"{user} reached {url} without the second factor"
        assert path_of(response) == reverse("mfa_reauthenticate")
        assert parse_qs(urlparse(response["Location"]).query)["next"] == [url]


def test_a_password_only_session_is_refused_even_with_a_password_record(client, world, production_auth):
    """allauth's password reauthentication records {"method": "password"}: not a second factor."""
    enrol_totp(world.ops_a)
    client.force_login(world.ops_a)
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code in (200, 302)
    response = client.get("/admin/")
    assert response.status_code == 302 and path_of(response) == reverse("mfa_reauthenticate")


def test_the_code_on_the_reauthentication_page_opens_the_admin(client, world, production_auth):
    secret = enrol_totp(world.ops_a)
    client.force_login(world.ops_a)
    response = client.get("/admin/")
    page = client.get(response["Location"])
    assert page.status_code == 200
    response = client.post(response["Location"], {"code": current_code(secret)})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_staff_without_totp_are_sent_to_enrol(client, world, production_auth):
    client.force_login(world.ops_a)
    response = client.get("/visits/")
    assert response.status_code == 302 and path_of(response) == reverse("mfa_activate_totp")


def test_tenants_are_not_asked_for_a_second_factor(client, world, production_auth):
    client.force_login(world.signer_a)
    assert client.get(reverse("portal:tenant_home")).status_code == 200
    assert allauth_login(Client(), "signer@a-shop.test")["Location"] == reverse("portal:tenant_home")


def test_mfa_is_not_required_when_the_setting_is_off(client, world):
    enrol_totp(world.ops_a)
    client.force_login(world.ops_a)
    assert client.get("/admin/").status_code == 200
    assert Authenticator.objects.filter(user=world.ops_a).exists()


# --- page and document passwords ----------------------------------------------


@pytest.fixture
def password_page(db):
    from wagtail.models import Locale, Page, PageViewRestriction

    # Transactional tests elsewhere may have flushed the rows migrations create.
    Locale.objects.get_or_create(language_code="zh-hans")
    root = Page.get_first_root_node() or Page.add_root(title="Root", slug="root")
    page = root.add_child(title="口令页", slug="password-page")
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password="page-secret"
    )
    return page, restriction


def test_a_page_password_opens_the_page_but_logs_nobody_in(client, password_page):
    page, restriction = password_page
    url = reverse("wagtailcore_authenticate_with_password", args=[restriction.pk, page.pk])
    response = client.post(url, {"password": "page-secret", "return_url": "/pages/"})
    assert response.status_code == 302
    assert not logged_in(client)


def test_page_password_guesses_are_rate_limited(client, password_page):
    page, restriction = password_page
    url = reverse("wagtailcore_authenticate_with_password", args=[restriction.pk, page.pk])
    for attempt in range(5):
        assert client.post(url, {"password": f"guess-{attempt}", "return_url": "/pages/"}).status_code == 200
    response = client.post(url, {"password": "page-secret", "return_url": "/pages/"})
    assert response.status_code == 429


def test_document_password_guesses_are_rate_limited(client, db):
    from wagtail.models import Collection, CollectionViewRestriction

    root = Collection.get_first_root_node() or Collection.add_root(name="Root")
    collection = root.add_child(name="保密")
    restriction = CollectionViewRestriction.objects.create(
        collection=collection, restriction_type=CollectionViewRestriction.PASSWORD, password="doc-secret"
    )
    url = reverse("wagtaildocs_authenticate_with_password", args=[restriction.pk])
    for attempt in range(5):
        assert client.post(url, {"password": f"guess-{attempt}", "return_url": "/"}).status_code == 200
    assert client.post(url, {"password": "doc-secret", "return_url": "/"}).status_code == 429


def test_editors_cannot_create_shared_passwords(db):
    from wagtail.admin.forms.collections import CollectionViewRestrictionForm
    from wagtail.admin.forms.pages import PageViewRestrictionForm
    from wagtail.models import PageViewRestriction

    page_form = PageViewRestrictionForm(private_page_options=[c[0] for c in PageViewRestriction.RESTRICTION_CHOICES])
    assert PageViewRestriction.PASSWORD not in dict(page_form.fields["restriction_type"].choices)
    assert "password" not in CollectionViewRestrictionForm().fields


# --- the URL conf has no other login --------------------------------------------


def _walk(resolvers, prefix=""):
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + _route(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + _route(entry.pattern), entry


def _route(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        return str(pattern)
    return str(pattern).lstrip("^").rstrip("$").replace("\\Z", "")


def _is_login_view(callback) -> bool:
    from django.contrib.admin.sites import AdminSite
    from django.contrib.auth.views import LoginView

    while callback is not None:
        view_class = getattr(callback, "view_class", None)
        if view_class is not None and issubclass(view_class, LoginView):
            return True
        if getattr(callback, "__func__", None) is AdminSite.login:
            return True
        callback = getattr(callback, "__wrapped__", None)
    return False


def test_no_url_answers_with_a_login_form_of_django_or_wagtail(client, world):
    """Every LoginView in the URL conf (Django's, Wagtail's front-end and admin
    ones, the Django admin's) is shadowed by a redirect to allauth, or wrapped
    so that it never takes a password. A new one fails here until it is."""
    found = [(route, entry) for route, entry in _walk(get_resolver().url_patterns) if _is_login_view(entry.callback)]
    assert found, "the walk found no login view at all: it is broken"
    for route, _entry in found:
        assert "<" not in route and "(" not in route, f"cannot build a URL for {route}: cover it in this test"
        url = "/" + route
        match = resolve(url)
        response = client.post(url, {"username": "ops@a.test", "password": PASSWORD, "next": "/admin/"})
        assert response.status_code == 302 and path_of(response) == reverse("account_login"), (
            f"{url} ({match.func}) answers {response.status_code} instead of sending to allauth"
        )
        assert not logged_in(client), f"{url} logged someone in with a password alone"


def test_no_password_reset_outside_allauth(client, world):
    """Django's/Wagtail's own password reset would set a password (and may log
    in) outside allauth's rate limits: every such view answers 404."""
    import re

    from django.contrib.auth import views as auth_views

    reset_views = (auth_views.PasswordResetView, auth_views.PasswordResetConfirmView)
    found = [
        route for route, entry in _walk(get_resolver().url_patterns)
        if issubclass(getattr(entry.callback, "view_class", type), reset_views)
    ]  # fmt: skip
    assert found, "the walk found no password reset view at all: it is broken"
    for route in found:
        url = "/" + re.sub(r"<[^>]+>", "x", route)
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"email": "ops@a.test", "new_password1": "x" * 12, "new_password2": "x" * 12}).status_code == 404, url

# --- a tenant opening /admin/ ---------------------------------------------------


@pytest.mark.parametrize("url", ["/admin/", "/admin/snippets/tenants/tenant/", "/admin/login/"])
def test_a_tenant_opening_the_admin_gets_a_clear_page_not_a_loop(client, world, url):
    client.force_login(world.signer_a)
    response = client.get(url, follow=True)
    assert len(response.redirect_chain) <= 1, response.redirect_chain
    assert response.status_code == 403
    text = response.content.decode()
    assert "管理后台仅供商场员工使用" in text
    assert 'href="/my/"' in text
    client.post(reverse("set_language"), {"language": "en", "next": "/my/"})
    english = client.get(url).content.decode()
    assert "The management area is for centre staff" in english


def test_staff_still_open_the_admin(client, world):
    client.force_login(world.ops_a)
    assert client.get("/admin/").status_code == 200
