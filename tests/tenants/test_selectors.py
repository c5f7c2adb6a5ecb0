import pytest

from portal.models import StaffMembership
from tenants.selectors.contacts import tenants_of_contact
from tenants.selectors.directory import centres_visible_to, tenants_visible_to

pytestmark = pytest.mark.django_db


def test_staff_see_only_centres_they_hold_a_role_in(world):
    assert list(centres_visible_to(world.ops_a)) == [world.centre_a]
    assert list(centres_visible_to(world.ops_b)) == [world.centre_b]


def test_an_operator_wide_manager_sees_all_centres_of_the_operator(world):
    assert set(centres_visible_to(world.manager)) == {world.centre_a, world.centre_b}


def test_web_editors_and_tenants_see_no_archive(world):
    assert not tenants_visible_to(world.editor_a).exists()
    assert not tenants_visible_to(world.signer_a).exists()


def test_an_inactive_membership_grants_nothing(world):
    StaffMembership.objects.filter(user=world.ops_a).update(active=False)
    assert not centres_visible_to(world.ops_a).exists()


def test_a_contact_speaks_only_for_their_own_tenant(world):
    assert list(tenants_of_contact(world.signer_a)) == [world.tenant_a]
    assert list(tenants_of_contact(world.signer_b)) == [world.tenant_b]
