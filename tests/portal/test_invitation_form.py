"""The admin's invitation form offers what its user may send: staff are
invited by a manager of their centre, tenant contacts by its operations staff
and managers (portal.services.invitation_can_invite_*)."""

import pytest
from django.test import Client
from django.urls import reverse

from portal.models import Invitation

pytestmark = pytest.mark.django_db

NEW = reverse("portal_invitations:new")


def _page(user) -> str:
    client = Client()
    client.force_login(user)
    return client.get(NEW).content.decode()


def test_operations_staff_are_offered_tenant_contacts_only(world):
    page = _page(world.ops_a)
    assert 'value="contact"' in page and 'value="staff"' not in page
    assert 'name="centre"' not in page and 'name="role"' not in page
    assert world.tenant_a.contacts.first().name in page
    client = Client()
    client.force_login(world.ops_a)
    response = client.post(NEW, {"kind": "staff", "email": "z@z.test", "centre": world.centre_a.pk, "role": "leader"})
    assert response.status_code == 400 and "kind" in response.context["form"].errors  # the form again, with why
    assert not Invitation.objects.exists()


def test_a_manager_is_offered_staff_with_the_centres_they_manage(world):
    page = _page(world.manager)
    assert 'value="staff"' in page and 'value="contact"' in page
    assert f'<option value="{world.centre_a.pk}">' in page
    client = Client()
    client.force_login(world.manager)
    response = client.post(NEW, {"kind": "staff", "email": "new.ops@a.test", "centre": world.centre_a.pk,
                                 "role": "operations"})
    assert response.status_code == 302
    assert Invitation.objects.get().centre == world.centre_a
