"""The account pages (password, two-factor setup) serve staff and tenants in
one frame: the brand says whose side the reader is on."""

import pytest
from django.urls import reverse

from tests.base import logged_in

pytestmark = pytest.mark.django_db


def test_staff_are_told_it_is_their_account_and_tenants_their_portal(world):
    staff = logged_in(world.ops_a).get(reverse("account_change_password")).content.decode()
    tenant = logged_in(world.signer_a).get(reverse("account_change_password")).content.decode()
    assert "<span>员工账号</span>" in staff and "<span>租户门户</span>" not in staff
    assert "<span>租户门户</span>" in tenant
