"""No open sign-up: staff invite people, the invitee sets a password."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from portal.models import Invitation, Role, StaffMembership, User
from portal.services import invitation_create
from tests.base import ANONYMOUS, assert_access

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Longer-pass-2026!"


def _token_from_mail():
    match = re.search(r"/invite/([\w-]+)/", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def _accept(client, token, name="新同事"):
    return client.post(
        reverse("portal:invitation_accept", args=[token]),
        {"full_name": name, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )


def test_a_manager_invites_a_staff_member_who_then_logs_in(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(inviter=world.manager, email="New.Leader@A.test", kind="staff", centre=world.centre_a, role=Role.LEADER)
    assert mail.outbox[-1].to == ["new.leader@a.test"]
    token = _token_from_mail()
    assert Invitation.objects.get().token_hash != token  # only the hash is stored
    response = _accept(client, token)
    assert response.status_code == 302
    user = User.objects.get(email="new.leader@a.test")
    assert StaffMembership.objects.filter(user=user, centre=world.centre_a, role=Role.LEADER).exists()
    assert user.has_perm("wagtailadmin.access_admin")
    client.logout()
    login = client.post(reverse("account_login"), {"login": "new.leader@a.test", "password": NEW_PASSWORD})
    assert login["Location"] == reverse("wagtailadmin_home")


def test_operations_staff_invite_a_tenant_contact(client, world, django_capture_on_commit_callbacks):
    contact = world.tenant_a2.contacts.create(name="钱店长", email="boss@a2-shop.test", may_sign=True)
    client.force_login(world.ops_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("portal_invitations:new"), {"kind": "contact", "email": "boss@a2-shop.test", "contact": contact.pk}
        )
    assert response.status_code == 302
    client.logout()
    assert _accept(client, _token_from_mail()).status_code == 302
    contact.refresh_from_db()
    assert contact.user.email == "boss@a2-shop.test"
    assert client.get(reverse("portal:tenant_home")).status_code == 200


def test_a_used_invitation_gets_a_clear_page(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(inviter=world.manager, email="x@a.test", kind="staff", centre=world.centre_a, role=Role.OPERATIONS)
    token = _token_from_mail()
    _accept(client, token)
    client.logout()
    response = client.get(reverse("portal:invitation_accept", args=[token]))
    assert response.status_code == 410
    assert response.context["state"] == "accepted"
    response = _accept(client, token)
    assert response.status_code == 410


def test_an_expired_invitation_gets_a_clear_page(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = invitation_create(
            inviter=world.manager, email="late@a.test", kind="staff", centre=world.centre_a, role=Role.OPERATIONS
        )
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = _accept(client, token)
    assert response.status_code == 410 and response.context["state"] == "expired"
    assert not User.objects.filter(email="late@a.test").exists()


def test_an_invalid_token_is_a_404_with_a_message(client, db):
    response = client.get(reverse("portal:invitation_accept", args=["not-a-token"]))
    assert response.status_code == 404
    assert response.context["state"] == "invalid"


def test_weak_passwords_are_refused(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(inviter=world.manager, email="weak@a.test", kind="staff", centre=world.centre_a, role=Role.OPERATIONS)
    response = client.post(
        reverse("portal:invitation_accept", args=[_token_from_mail()]),
        {"full_name": "x", "password1": "123", "password2": "123"},
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert not User.objects.filter(email="weak@a.test").exists()


def test_staff_of_centre_b_cannot_invite_a_contact_of_centre_a(client, world):
    contact = world.tenant_a.contacts.first()
    client.force_login(world.ops_b)
    response = client.post(reverse("portal_invitations:new"), {"kind": "contact", "email": "z@z.test", "contact": contact.pk})
    assert response.status_code == 200
    assert not Invitation.objects.exists()


def test_operations_staff_cannot_invite_staff(client, world):
    client.force_login(world.ops_a)
    response = client.post(
        reverse("portal_invitations:new"), {"kind": "staff", "email": "z@z.test", "centre": world.centre_a.pk, "role": "leader"}
    )
    assert response.status_code == 200
    assert not Invitation.objects.exists()


def test_the_invitation_screens_answer_inviters_only(world):
    assert_access(
        reverse("portal_invitations:index"),
        allowed=[world.ops_a, world.manager],
        refused=[world.drafter_a, world.editor_a, world.signer_a, ANONYMOUS],
    )


def test_accepting_signs_in_through_allauth(client, world, django_capture_on_commit_callbacks):
    """allauth's login runs (its stages, signals and session records), not a bare django login()."""
    from allauth.account.signals import user_logged_in

    seen = []

    def _seen(sender, request, user, **kwargs):
        seen.append(user.email)

    user_logged_in.connect(_seen)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            invitation_create(inviter=world.manager, email="ops.new@a.test", kind="staff", centre=world.centre_a,
                              role=Role.OPERATIONS)
        response = _accept(client, _token_from_mail())
    finally:
        user_logged_in.disconnect(_seen)
    assert response.status_code == 302 and response["Location"] == reverse("portal:landing")
    assert seen == ["ops.new@a.test"]
