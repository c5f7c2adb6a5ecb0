"""Login, landing, no open sign-up, rate limits, and no way around allauth."""

import pytest
from django.contrib.auth.models import Group
from django.test import override_settings
from django.urls import reverse

from portal.models import Role, StaffMembership
from portal.roles import GROUP_NAMES
from tests.base import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_a_tenant_signatory_lands_on_the_tenant_home(client, world):
    response = _login(client, "signer@a-shop.test")
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:tenant_home")
    page = client.get(reverse("portal:tenant_home"))
    assert "蜀香火锅" in page.content.decode()


def test_staff_land_in_the_wagtail_admin(client, world):
    response = _login(client, "ops@a.test")
    assert response["Location"] == reverse("wagtailadmin_home")
    assert client.get(reverse("wagtailadmin_home")).status_code == 200


def test_email_login_is_case_insensitive(client, world):
    assert _login(client, "OPS@A.TEST")["Location"] == reverse("wagtailadmin_home")


def test_a_wrong_password_gets_a_clear_message(client, world):
    response = _login(client, "ops@a.test", "wrong-password")
    assert response.status_code == 200
    assert response.context["form"].errors


def test_repeated_failures_are_rate_limited_with_a_message(client, world):
    for _ in range(5):
        _login(client, "ops@a.test", "wrong-password")
    response = _login(client, "ops@a.test", PASSWORD)
    assert response.status_code in (200, 429)
    text = response.content.decode()
    assert "Too many failed login attempts" in text or "登录失败次数过多" in text or "尝试" in text
    assert "_auth_user_id" not in client.session


def test_there_is_no_open_sign_up(client, db):
    response = client.post(
        reverse("account_signup"), {"email": "stranger@example.com", "password1": "x" * 12, "password2": "x" * 12}
    )
    assert response.status_code == 200
    from portal.models import User

    assert not User.objects.filter(email="stranger@example.com").exists()


def test_wagtail_admin_login_goes_through_allauth(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    response = client.post("/admin/login/", {"username": "x", "password": "y"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_django_admin_login_goes_through_allauth(client, db):
    response = client.get("/django-admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_admin_sends_anonymous_visitors_to_allauth(client, db):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@override_settings(ATRIUM_STAFF_MFA_REQUIRED=True)
def test_staff_without_totp_must_enrol_before_working(client, world):
    _login(client, "ops@a.test")
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
    # allauth asks for the password again before enrolling a device.
    enrol = client.get(reverse("mfa_activate_totp"), follow=True)
    assert enrol.status_code == 200
    assert enrol.request["PATH_INFO"] in (reverse("mfa_activate_totp"), reverse("account_reauthenticate"))


@override_settings(ATRIUM_STAFF_MFA_REQUIRED=True)
def test_tenants_are_not_forced_into_mfa(client, world):
    client.force_login(world.signer_a)
    assert client.get(reverse("portal:tenant_home")).status_code == 200


def test_role_groups_follow_memberships(world):
    ops_group = Group.objects.get(name=GROUP_NAMES[Role.OPERATIONS])
    assert ops_group in world.ops_a.groups.all()
    StaffMembership.objects.filter(user=world.ops_a).delete()
    assert ops_group not in world.ops_a.groups.all()
    assert not world.ops_a.has_perm("wagtailadmin.access_admin")


def test_a_tenant_cannot_enter_the_admin(client, world):
    client.force_login(world.signer_a)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert not response["Location"].startswith("/admin/")


def test_a_user_with_no_role_gets_a_clear_page(client, db):
    from tests.base import make_user

    user = make_user("nobody@test")
    client.force_login(user)
    response = client.get(reverse("portal:landing"))
    assert response.status_code == 403
    assert "invite" in response.content.decode().lower() or "邀请" in response.content.decode()


def test_password_reset_sends_a_link_that_sets_a_new_password(client, world):
    import re

    from django.core import mail

    response = client.post(reverse("account_reset_password"), {"email": "ops@a.test"})
    assert response.status_code == 302
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+)", mail.outbox[-1].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    action = form_page.request["PATH_INFO"]
    done = client.post(action, {"password1": "A-new-password-2026", "password2": "A-new-password-2026"})
    assert done.status_code == 302
    client.logout()
    assert _login(client, "ops@a.test", "A-new-password-2026")["Location"] == reverse("wagtailadmin_home")


def test_the_back_office_admin_answers_superusers_only(client, world):
    from tests.base import make_user

    admin_user = make_user("root@test", is_superuser=True, is_staff=True)
    client.force_login(admin_user)
    assert client.get("/django-admin/portal/staffmembership/").status_code == 200
    client.force_login(world.ops_a)
    assert client.get("/django-admin/portal/staffmembership/").status_code == 302


def test_only_the_wagtail_admin_may_run_inline_scripts(client, world):
    tenant_side = client.get(reverse("portal:landing"))["Content-Security-Policy"]
    assert "script-src 'self';" in tenant_side + ";" and "unsafe-inline" not in tenant_side.split("script-src")[1].split(";")[0]
    client.force_login(world.ops_a)
    admin_csp = client.get(reverse("wagtailadmin_home"))["Content-Security-Policy"]
    assert "'unsafe-inline'" in admin_csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in admin_csp
