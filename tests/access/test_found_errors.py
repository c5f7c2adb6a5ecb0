"""Errors the generated access test found, each fixed with its own test."""

import pytest
from django.test import Client

from tests.base import make_user

pytestmark = pytest.mark.django_db


def test_wagtails_deliberate_error_page_is_a_404_not_a_500(world):
    # /admin/failwhale/ raises on purpose (Wagtail's test of error reporting):
    # any staff member could make the server answer 500 at will.
    root = make_user("root@test", is_superuser=True, is_staff=True)
    client = Client(raise_request_exception=False)
    for user in (None, world.ops_a, world.manager, root):
        client.logout()
        if user is not None:
            client.force_login(user)
        assert client.get("/admin/failwhale/").status_code == 404
