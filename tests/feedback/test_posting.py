"""Posting on the feedback board (4.16): a tenant's post is a request of the
log (channel website/forum) assigned to the centre's web follow-up officer;
the public posts only where the centre allows it, limited and moderated."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from portal.models.audit import AuditEvent
from tenants.feedback.models import BoardSettings, FeedbackPost, Visibility
from tenants.feedback.services import board_moderate
from tenants.models import Channel, RequestCategory
from tests.base import ANONYMOUS, assert_access

from .helpers import officer_for, post_as

pytestmark = pytest.mark.django_db


def test_a_tenant_post_becomes_a_web_request_assigned_to_the_follow_up_officer(world):
    officer = officer_for(world.centre_a)
    post = post_as(world)
    sr = post.service_request
    assert sr.channel == Channel.WEB and sr.category == RequestCategory.COMPLAINT
    assert sr.assignee == officer and sr.tenant == world.tenant_a
    assert post.visibility == Visibility.SHOWN
    assert AuditEvent.objects.filter(action="feedback.posted").count() == 1
    assert AuditEvent.objects.filter(action="request.created").count() == 1


def test_a_tenant_posts_from_the_board_form(client, world):
    officer_for(world.centre_a)
    client.force_login(world.signer_a)
    url = reverse("feedback:new", args=[world.centre_a.code])
    assert client.get(url).status_code == 200
    response = client.post(url, {"tenant": world.tenant_a.pk, "kind": "suggestion", "subject": "增加停车位",
                                 "body": "周末停车太难。"})
    post = FeedbackPost.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{post.pk}/")
    board = client.get(reverse("feedback:board", args=[world.centre_a.code])).content.decode()
    assert "增加停车位" in board
    # Bad input is a form error, never a 500.
    assert client.post(url, {"kind": "nonsense", "subject": "", "body": ""}).status_code == 400


def test_the_board_is_per_centre_and_another_centres_post_is_a_404(client, world):
    post = post_as(world)
    assert client.get(reverse("feedback:post", args=[world.centre_a.code, post.pk])).status_code == 200
    assert client.get(reverse("feedback:post", args=[world.centre_b.code, post.pk])).status_code == 404
    assert "空调不制冷" not in client.get(reverse("feedback:board", args=[world.centre_b.code])).content.decode()
    assert client.get(reverse("feedback:board", args=["NOPE"])).status_code == 404


def test_a_tenant_cannot_post_for_another_centre_and_staff_cannot_post(client, world):
    url = reverse("feedback:new", args=[world.centre_b.code])
    assert_access(url, refused=[world.signer_a, world.ops_a, ANONYMOUS])
    client.force_login(world.signer_a)
    client.post(reverse("feedback:new", args=[world.centre_a.code]),
                {"tenant": world.tenant_b.pk, "kind": "question", "subject": "x", "body": "y"})
    assert not FeedbackPost.objects.exists()


def test_public_posting_is_off_by_default(client, world):
    url = reverse("feedback:new", args=[world.centre_a.code])
    response = client.post(url, {"name": "路人", "kind": "question", "subject": "营业时间", "body": "几点关门？"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not FeedbackPost.objects.exists()


def test_public_posts_are_held_until_staff_show_them(client, world):
    officer = officer_for(world.centre_a)
    BoardSettings.objects.create(centre=world.centre_a, public_may_post=True)
    url = reverse("feedback:new", args=[world.centre_a.code])
    response = client.post(url, {"name": "路人", "kind": "question", "subject": "营业时间", "body": "几点关门？"})
    assert response.status_code == 302
    post = FeedbackPost.objects.get()
    assert post.visibility == Visibility.HELD and post.tenant is None
    board_url = reverse("feedback:board", args=[world.centre_a.code])
    assert "营业时间" not in client.get(board_url).content.decode()
    assert client.get(reverse("feedback:post", args=[world.centre_a.code, post.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        board_moderate(actor=world.ops_b, post=post, show=True)
    board_moderate(actor=officer, post=post, show=True)
    assert "营业时间" in client.get(board_url).content.decode()
    assert AuditEvent.objects.filter(action="feedback.shown").count() == 1


def test_public_posts_are_rate_limited_per_session(client, world):
    BoardSettings.objects.create(centre=world.centre_a, public_may_post=True)
    url = reverse("feedback:new", args=[world.centre_a.code])
    data = {"name": "路人", "kind": "question", "subject": "营业时间", "body": "几点关门？"}
    statuses = [client.post(url, data).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
    assert FeedbackPost.objects.count() == 3


def test_staff_of_another_centre_get_a_404_on_the_posts_admin_page(client, world):
    post = post_as(world)
    officer = officer_for(world.centre_a)
    url = reverse("wagtailsnippets_tenants_feedbackpost:inspect", args=[post.pk])
    client.force_login(officer)
    assert client.get(url).status_code == 200
    client.force_login(world.ops_b)
    assert client.get(url).status_code == 404
    assert client.post(reverse("wagtailsnippets_tenants_feedbackpost:act", args=[post.pk, "hide"])).status_code == 404
    post.refresh_from_db()
    assert post.visibility == Visibility.SHOWN
