"""The demo's feedback board: posts of centre A, one answered through the
department's approval, the telephone block approved by the leader; loading
the demo twice adds nothing."""

import pytest
from django.core.management import call_command
from django.test import TestCase

from tenants.feedback.models import FeedbackPost, FeedbackReply, PhoneBlock

pytestmark = pytest.mark.django_db


def test_the_demo_has_an_answered_board_and_is_idempotent():
    # The reply's publication is announced when the demo's transaction commits.
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("seed_demo", quiet=True)
    posts = FeedbackPost.objects.filter(centre__code="BJ")
    assert posts.count() == 3
    assert all(p.service_request.assignee.email == "web@a.atrium.demo" for p in posts)
    assert FeedbackReply.objects.filter(live=True, announced_at__isnull=False).count() == 1
    assert PhoneBlock.objects.get(centre__code="BJ").live
    call_command("seed_demo", quiet=True)
    assert FeedbackPost.objects.count() == 3 and FeedbackReply.objects.count() == 1
