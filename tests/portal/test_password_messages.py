"""Password rules are explained in Chinese wherever a password is chosen.

Django 5.2 changed the length error's msgid (%d) and its zh_Hans catalogue
has no entry for it: the project catalogue gives every validator's words."""

import re

import pytest
from django.contrib.auth import password_validation
from django.core import mail
from django.urls import reverse
from django.utils import translation

from portal.models import Role
from portal.services import invitation_create

pytestmark = pytest.mark.django_db


def test_choosing_a_password_on_an_invitation_explains_the_rules_in_chinese(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(inviter=world.manager, email="new@a.test", kind="staff", centre=world.centre_a, role=Role.OPERATIONS)
    token = re.search(r"/invite/([\w-]+)/", mail.outbox[-1].body).group(1)
    response = client.post(reverse("portal:invitation_accept", args=[token]),
                           {"full_name": "新同事", "password1": "12345678", "password2": "12345678"})
    errors = response.context["form"].errors["password1"]
    assert errors == ["密码太短，至少需要 10 个字符。", "此密码过于常见。", "此密码全部由数字组成。"]


def test_a_password_reset_explains_the_length_in_chinese(client, world):
    client.post(reverse("account_reset_password"), {"email": "ops@a.test"})
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+)", mail.outbox[-1].body).group(1)
    action = client.get(link, follow=True).request["PATH_INFO"]
    response = client.post(action, {"password1": "Short-1", "password2": "Short-1"})
    assert response.status_code == 200
    assert "密码太短，至少需要 10 个字符。" in response.content.decode()


def test_every_password_rule_has_chinese_words():
    with translation.override("zh-hans"):
        help_texts = password_validation.password_validators_help_texts()
        errors = [v.get_error_message() for v in password_validation.get_default_password_validators()]
    assert all(re.search(r"[\u4e00-\u9fff]", text) for text in help_texts + errors), help_texts + errors
