"""What libraries leave in one language, in the reader's language on the
operator administrator's screens: names libraries left unmarked
(portal/library_names.py), labels Wagtail puts into words at import
(portal/import_time_labels.py), beat times (portal.admin_i18n)."""

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.utils import translation
from django_celery_beat.models import CrontabSchedule

from portal.models import User
from tests.base import logged_in, make_user


def _root_reading(language: str, email: str = "root@words.test"):
    """The operator administrator's client, reading in `language`."""
    root = make_user(email, is_superuser=True, is_staff=True)
    client = logged_in(root, HTTP_ACCEPT_LANGUAGE=language)
    client.cookies["django_language"] = language
    return root, client


def test_library_models_and_link_tables_have_names_in_each_language():
    with translation.override("zh-hans"):
        assert str(Authenticator._meta.verbose_name) == "认证器"
        assert str(Authenticator._meta.get_field("last_used_at").verbose_name) == "最近使用时间"
        assert str(User.groups.through._meta.verbose_name) == "用户与组的关联"
    with translation.override("en"):
        assert str(Authenticator._meta.verbose_name) == "authenticator"
        assert str(User.groups.through._meta.verbose_name) == "link between user and group"


@pytest.mark.django_db
def test_labels_wagtail_builds_at_import_follow_the_reader():
    """Put into words when imported, they stayed in the first language."""
    group = Group.objects.create(name="测试组")
    _root, english = _root_reading("en")
    page = english.get(f"/admin/groups/edit/{group.pk}/").content.decode()
    assert ">Collection<" in page and "Add/edit images you own" in page and "集合" not in page
    page = english.get("/admin/redirects/").content.decode()
    assert "Permanent" in page and "永久" not in page
    _root, chinese = _root_reading("zh-hans", "root2@words.test")
    page = chinese.get(f"/admin/groups/edit/{group.pk}/").content.decode()
    assert "增加/编辑所属的图片" in page and "Add/edit images you own" not in page


@pytest.mark.django_db
def test_the_django_admin_names_atrium_and_speaks_chinese():
    root, client = _root_reading("zh-hans")
    page = client.get("/django-admin/").content.decode()
    assert "Atrium 后台管理" in page and "Django" not in page
    page = client.get(f"/django-admin/portal/user/{root.pk}/password/").content.decode()
    assert "此用户当前的密码将失效" in page and "will be lost" not in page


def test_beat_times_are_described_in_the_readers_language():
    quarterly = CrontabSchedule(minute="15", hour="8", day_of_month="1", month_of_year="1,4,7,10",
                                timezone="Asia/Shanghai")
    with translation.override("zh-hans"):
        assert "每月的 1 号" in quarterly.human_readable and "一月" in quarterly.human_readable
        assert "08:15" in quarterly.human_readable and "January" not in quarterly.human_readable
    with translation.override("en"):
        assert "on day 1 of the month" in quarterly.human_readable and "January" in quarterly.human_readable


@pytest.mark.django_db
def test_the_tag_merge_form_speaks_the_readers_language():
    _root, client = _root_reading("zh-hans")
    page = client.get("/django-admin/taggit/tag/merge-tags/").content.decode()
    assert "输入新标签名或已有标签名" in page and "Atrium 后台管理" in page
    assert "Enter new" not in page and "Django" not in page
