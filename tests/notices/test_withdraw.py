"""Only the drafter withdraws a letter from approval ("Cancel workflow"):
approvers return it with a comment instead, never drop it silently."""

import pytest
from django.test import Client
from django.urls import reverse

from notices.models import LetterStatus

from .letters import decide, draft_letter, make_template, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_approval(world):
    make_template(world.centre_a)
    return submit(draft_letter(world.drafter_a, world.centre_a), world.drafter_a)


def _editor(user, letter, method="get"):
    client = Client()
    client.force_login(user)
    url = reverse("wagtailsnippets_notices_letter:edit", args=[letter.pk])
    return client.post(url, {"action-cancel-workflow": "1"}) if method == "post" else client.get(url)


def test_approvers_are_not_offered_cancel_workflow(world, in_approval):
    page = _editor(world.leader_a, in_approval)
    assert page.status_code == 200
    assert 'name="action-cancel-workflow"' not in page.content.decode()
    decide(in_approval, world.leader_a)
    page = _editor(world.seal_a, in_approval)
    assert page.status_code == 200
    assert 'name="action-cancel-workflow"' not in page.content.decode()


def test_the_drafter_is_offered_cancel_workflow(world, in_approval):
    assert 'name="action-cancel-workflow"' in _editor(world.drafter_a, in_approval).content.decode()


def test_an_approvers_forged_cancel_leaves_the_letter_in_approval(world, in_approval):
    _editor(world.leader_a, in_approval, method="post")
    in_approval.refresh_from_db()
    assert in_approval.workflow_in_progress and in_approval.status == LetterStatus.IN_APPROVAL


def test_the_drafter_withdraws_their_letter(world, in_approval):
    _editor(world.drafter_a, in_approval, method="post")
    in_approval.refresh_from_db()
    assert not in_approval.workflow_in_progress and in_approval.status == LetterStatus.DRAFT
