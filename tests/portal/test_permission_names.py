"""Permissions in the reader's language on the operator administrator's
screens (portal/permission_names.py).

Django stores "Can add letter" in English; the group screens of the Wagtail
admin and of the Django admin printed those rows on a Chinese screen."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import translation

from portal.permission_names import permission_label
from tests.base import logged_in, make_user


def _perm(app_label: str, codename: str) -> Permission:
    return Permission.objects.select_related("content_type").get(content_type__app_label=app_label, codename=codename)


@pytest.mark.django_db
@pytest.mark.parametrize(("app_label", "codename", "chinese", "english"), [
    ("notices", "add_letter", "可添加函件", "Can add letter"),  # Django's default actions
    ("tenants", "view_confidential", "查看保密", "Can see confidential"),  # our own Meta.permissions
    ("wagtailcore", "publish_page", "发布", "Publish any page"),  # Wagtail's page actions
    ("wagtailimages", "choose_image", "可选用图片", "Can choose image"),  # stored by Wagtail as plain text
    ("wagtailadmin", "change_editingsession", "可修改编辑会话", "Can change editing session"),  # unmarked model name
])
def test_a_permission_reads_in_the_readers_language(app_label, codename, chinese, english):
    permission = _perm(app_label, codename)
    with translation.override("zh-hans"):
        assert chinese in permission_label(permission)
        assert "Can " not in str(permission)
    with translation.override("en"):
        assert english in permission_label(permission)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/groups/edit/{pk}/", "/django-admin/auth/group/{pk}/change/"])
def test_group_screens_list_permissions_in_chinese(path):
    group = Group.objects.create(name="测试组")
    group.permissions.add(_perm("notices", "add_letter"))
    root = make_user("root@perm.test", is_superuser=True, is_staff=True)
    page = logged_in(root, HTTP_ACCEPT_LANGUAGE="zh-hans").get(path.format(pk=group.pk)).content.decode()
    assert "可添加函件" in page
    assert "Can add" not in page and "Can change" not in page
