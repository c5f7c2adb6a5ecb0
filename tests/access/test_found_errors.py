"""Errors the generated access test found, each fixed with its own test."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_wagtails_deliberate_error_page_is_a_404_not_a_500(access_world):
    # /admin/failwhale/ raises on purpose (Wagtail's test of error reporting):
    # any staff member could make the server answer 500 at will.
    client = Client(raise_request_exception=False)
    for role in ("anonymous", "ops_a", "manager", "superuser"):
        client.logout()
        if access_world.people[role] is not None:
            client.force_login(access_world.people[role])
        assert client.get("/admin/failwhale/").status_code == 404
