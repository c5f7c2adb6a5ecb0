"""Each factory makes a valid object with no arguments, as the tests rely on."""

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from notices.models import Letter
from portal.models import Department, Role
from tenants.models import RequestStatus, Unit

from .factories import (
    PASSWORD,
    ContactFactory,
    LetterFactory,
    ServiceRequestFactory,
    StaffFactory,
    TenantFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_a_user_can_log_in_with_the_test_password():
    user = UserFactory()
    assert EmailAddress.objects.get(user=user).verified
    assert Client().login(email=user.email, password=PASSWORD)
    assert not EmailAddress.objects.filter(user=UserFactory(verified_email=False)).exists()


def test_a_tenant_rents_a_unit_of_its_centre_unless_told_not_to():
    tenant = TenantFactory(code="X01", unit__floor=2)
    unit = Unit.objects.get(tenant=tenant)
    assert (unit.centre, unit.number) == (tenant.centre, "2F-X01")
    assert not Unit.objects.filter(tenant=TenantFactory(unit=None)).exists()


def test_a_contact_has_an_account_of_the_same_email_unless_told_not_to():
    contact = ContactFactory(may_sign=True)
    assert contact.user.email == contact.email and contact.may_sign
    assert ContactFactory(with_account=False).user is None


def test_a_staff_member_holds_one_membership_drafters_in_safety():
    drafter = StaffFactory(membership__role=Role.DRAFTER)
    membership = drafter.memberships.get()
    assert membership.operator == membership.centre.operator and membership.department == Department.SAFETY


def test_a_letter_is_a_draft_with_a_revision_by_a_drafter_of_its_centre():
    letter = LetterFactory()
    assert not letter.live and letter.latest_revision is not None
    assert letter.drafter.memberships.get().centre == letter.centre
    assert Letter.objects.get(pk=letter.pk).recipient_tiers == ["1"]


def test_a_service_request_is_recorded_through_the_service():
    request = ServiceRequestFactory()
    assert request.number and request.status == RequestStatus.NEW
    assert request.created_by.memberships.get().centre == request.tenant.centre
