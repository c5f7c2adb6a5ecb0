"""No open sign-up: staff invite people, the invitee sets a password."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import TestCase
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
    assert response.status_code == 400  # the form again, with why
    assert not Invitation.objects.exists()


def test_operations_staff_cannot_invite_staff(client, world):
    client.force_login(world.ops_a)
    response = client.post(
        reverse("portal_invitations:new"), {"kind": "staff", "email": "z@z.test", "centre": world.centre_a.pk, "role": "leader"}
    )
    assert response.status_code == 400  # the form again, with why
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


# --- a contact's invitation reaches only the person the archive names ----------------


def _invite_contact(client, contact, email):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("portal_invitations:new"), {"kind": "contact", "email": email, "contact": contact.pk})


def test_a_contact_who_has_an_account_cannot_be_invited_to_someone_else(client, world):
    """Found in review: inviting the signatory's contact at a stranger's
    address and accepting moved the shop's letters and signing to the stranger."""
    contact = world.tenant_a.contacts.get(user=world.signer_a)
    client.force_login(world.ops_a)
    response = _invite_contact(client, contact, "someoneelse@x.test")
    assert response.status_code == 400 and "已有账号" in response.content.decode()
    assert not Invitation.objects.exists() and not mail.outbox
    contact.refresh_from_db()
    assert contact.user == world.signer_a


def test_a_contact_is_invited_at_its_email_on_file_only(client, world):
    contact = world.tenant_a2.contacts.create(name="钱店长", email="boss@a2-shop.test", may_sign=True)
    client.force_login(world.ops_a)
    response = _invite_contact(client, contact, "other@x.test")
    assert response.status_code == 400 and "boss@a2-shop.test" in response.content.decode()
    assert not Invitation.objects.exists()
    ended = world.tenant_a2.contacts.create(name="旧店长", email="old@a2-shop.test", active=False)
    with pytest.raises(ValidationError):
        invitation_create(inviter=world.ops_a, email="old@a2-shop.test", kind="contact", contact=ended)


def test_an_invitation_overtaken_by_the_archive_is_refused_with_a_clear_page(client, world):
    contact = world.tenant_a2.contacts.create(name="钱店长", email="boss@a2-shop.test", may_sign=True)
    with TestCase.captureOnCommitCallbacks(execute=True):
        invitation_create(inviter=world.ops_a, email="boss@a2-shop.test", kind="contact", contact=contact)
        invitation_create(inviter=world.ops_a, email="boss@a2-shop.test", kind="contact", contact=contact)
    first, second = re.findall(r"/invite/([\w-]+)/", mail.outbox[0].body + mail.outbox[1].body)
    assert _accept(client, first).status_code == 302
    client.logout()
    # The second link: the contact has its account now.
    page = client.get(reverse("portal:invitation_accept", args=[second]))
    assert page.status_code == 410 and page.context["state"] == "outdated"
    assert _accept(client, second).status_code == 410
    # The email on file changed after an invitation was sent: that link is refused too.
    other = world.tenant_a2.contacts.create(name="孙经理", email="sun@a2-shop.test", may_sign=False)
    with TestCase.captureOnCommitCallbacks(execute=True):
        invitation_create(inviter=world.ops_a, email="sun@a2-shop.test", kind="contact", contact=other)
    token = _token_from_mail()
    other.email = "sun.new@a2-shop.test"
    other.save()
    assert _accept(client, token).status_code == 410
    other.refresh_from_db()
    assert other.user is None and not User.objects.filter(email="sun@a2-shop.test").exists()
