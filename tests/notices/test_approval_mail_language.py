"""The approval chain's emails — the project's and Wagtail's own — reach each
approver in the language they chose for the admin (Chinese when none)."""

import pytest
from django.core import mail
from wagtail.users.models import UserProfile

from tests.base import make_staff
from tests.notices.letters import draft_letter, make_template, submit


@pytest.mark.django_db
def test_each_approver_reads_the_request_in_their_own_language(world):
    english_leader = make_staff("leader-en@a.test", world.centre_a, "leader")
    profile = UserProfile.get_for_user(english_leader)
    profile.preferred_language = "en"
    profile.save()
    make_template(world.centre_a)
    letter = draft_letter(world.drafter_a, world.centre_a)
    mail.outbox.clear()
    submit(letter, world.drafter_a)
    to_english = [m for m in mail.outbox if english_leader.email in m.to]
    to_chinese = [m for m in mail.outbox if world.leader_a.email in m.to]
    assert to_english and to_chinese
    for message in to_english:
        assert "Letter awaiting your approval" in message.subject or "approval" in message.subject.lower()
        assert "审批" not in message.subject + message.body, message.subject + message.body
    assert any("待您审批" in m.subject for m in to_chinese)
    for message in to_chinese:
        assert "Letter approval" not in message.body and "Leader approval" not in message.body
