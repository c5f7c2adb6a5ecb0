"""The inviters' list of invitations shows each one's state in the reader's words."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from portal.models import Invitation
from portal.services import invitation_create

pytestmark = pytest.mark.django_db


def test_the_list_shows_the_state_translated_not_its_code(world):
    contact = world.tenant_a.contacts.create(name="周店员", email="waiting@a-shop.test")
    invitation_create(inviter=world.ops_a, email="waiting@a-shop.test", kind="contact", contact=contact)
    other = world.tenant_a2.contacts.create(name="钱店长", email="gone@a2-shop.test")
    invitation_create(inviter=world.ops_a, email="gone@a2-shop.test", kind="contact", contact=other)
    Invitation.objects.filter(email="gone@a2-shop.test").update(revoked_at=timezone.now())
    client = Client()
    client.force_login(world.ops_a)
    page = client.get(reverse("portal_invitations:index")).content.decode()
    assert "<td>待接受</td>" in page and "<td>已撤回</td>" in page
    assert "pending" not in page and "revoked" not in page
    with translation.override("en"):
        assert Invitation.objects.get(email="waiting@a-shop.test").get_state_display() == "Pending"
