"""The admin's language switch (menu → 语言 / Language) and the site's name
on the admin home."""

import pytest
from django.urls import reverse
from wagtail.users.models import UserProfile

from portal.pages.site import centre_site_ensure
from tests.base import logged_in

URL = "/admin/language/"


@pytest.mark.django_db
def test_staff_switch_the_admin_to_english_and_back(world):
    client = logged_in(world.ops_a)
    page = client.get(URL, HTTP_REFERER="http://testserver/admin/invitations/")
    assert page.status_code == 200
    assert 'value="http://testserver/admin/invitations/"' in page.content.decode()  # back where the menu was opened
    response = client.post(URL, {"language": "en", "next": "/admin/invitations/"})
    assert response.status_code == 302 and response["Location"] == "/admin/invitations/"
    assert UserProfile.get_for_user(world.ops_a).preferred_language == "en"
    assert response.cookies["django_language"].value == "en"
    assert '<html lang="en"' in client.get("/admin/").content.decode()
    client.post(URL, {"language": "zh-hans"})
    assert '<html lang="zh-hans"' in client.get("/admin/").content.decode()


@pytest.mark.django_db
def test_the_switch_refuses_an_unknown_language_and_a_foreign_return_address(world):
    client = logged_in(world.ops_a)
    assert client.post(URL, {"language": "fr"}).status_code == 400
    assert UserProfile.get_for_user(world.ops_a).preferred_language == ""
    response = client.post(URL, {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == reverse("wagtailadmin_home")


@pytest.mark.django_db
def test_tenants_and_visitors_do_not_reach_the_admin_switch(world, client):
    assert client.get(URL).status_code == 302  # to the login page
    assert logged_in(world.signer_a).get(URL).status_code in (302, 403)


@pytest.mark.django_db
def test_the_admin_home_is_titled_with_the_operators_name_not_the_hostname(world):
    # Wagtail titles the home with the site of the user's explorable root page.
    home = centre_site_ensure(world.centre_a)
    assert home.get_site().site_name == world.operator.name
