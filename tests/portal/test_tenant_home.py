import pytest
from django.urls import reverse

from tests.base import ANONYMOUS, assert_access

pytestmark = pytest.mark.django_db


def test_the_tenant_home_answers_tenant_contacts_only(world):
    assert_access(reverse("portal:tenant_home"), allowed=[world.signer_a, world.nonsigner_a], refused=[ANONYMOUS])


def test_the_tenant_home_shows_only_the_users_own_shop(client, world):
    client.force_login(world.signer_a)
    body = client.get(reverse("portal:tenant_home")).content.decode()
    assert "蜀香火锅" in body
    assert "云裳女装" not in body and "星芽童装" not in body
    assert world.centre_a.hotline in body


def test_staff_opening_the_tenant_home_go_to_the_admin(client, world):
    client.force_login(world.ops_a)
    response = client.get(reverse("portal:tenant_home"))
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")


def test_the_public_landing_shows_hotlines(client, world):
    body = client.get(reverse("portal:landing")).content.decode()
    assert world.centre_a.hotline in body


def test_the_language_switch_gives_english(client, world):
    client.force_login(world.signer_a)
    client.post(reverse("set_language"), {"language": "en", "next": "/my/"})
    body = client.get(reverse("portal:tenant_home")).content.decode()
    assert "24-hour service hotline" in body
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/my/"})
    body = client.get(reverse("portal:tenant_home")).content.decode()
    assert "24小时服务热线" in body


def test_media_files_are_not_served_as_a_folder(client, world, settings):
    assert client.get("/media/anything.pdf").status_code == 404
