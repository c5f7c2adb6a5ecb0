"""A member of the public's post has no tenant; when it concerns one (a
complaint about a shop), the follow-up officer puts it in the request log
for that tenant: channel website/forum, assigned to the officer, counted
from the post's time, once."""

import pytest
from django.urls import reverse

from portal.models.audit import AuditEvent
from tenants.feedback.models import BoardSettings, FeedbackPost
from tenants.feedback.services import board_public_post
from tenants.models import Channel, ServiceRequest
from tests.base import logged_in, make_tenant

from .helpers import officer_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_post(world):
    BoardSettings.objects.create(centre=world.centre_a, public_may_post=True)
    return board_public_post(centre=world.centre_a, kind="complaint", subject="店员态度差",
                             body="在一楼奶茶店排队时店员态度很差。", name="王女士", email="wang@example.com")


def _inspect(user, post):
    response = logged_in(user).get(reverse("wagtailsnippets_tenants_feedbackpost:inspect", args=[post.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _link(user, post, tenant):
    return logged_in(user).post(reverse("wagtailsnippets_tenants_feedbackpost:act", args=[post.pk, "link"]),
                                {"tenant": tenant.pk}, follow=True)


def test_the_officer_records_a_public_post_as_a_request_of_the_tenant_it_concerns(world, public_post):
    officer = officer_for(world.centre_a)
    page = _inspect(officer, public_post)
    assert 'data-testid="link-form"' in page and world.tenant_a.trading_name in page
    assert world.tenant_b.trading_name not in page  # another centre's tenants are not offered

    response = _link(officer, public_post, world.tenant_a)
    assert "已记入诉求台账" in response.content.decode()
    public_post.refresh_from_db()
    sr = public_post.service_request
    assert sr.tenant == world.tenant_a and sr.channel == Channel.WEB and sr.assignee == officer
    assert sr.created_at == public_post.created_at and sr.category == "complaint"
    assert sr.contact_name == "王女士" and "王女士" in sr.description
    assert AuditEvent.objects.filter(action="feedback.linked", object_id=str(public_post.pk)).count() == 1
    assert 'data-testid="link-form"' not in _inspect(officer, public_post)

    # A second click, or another device: still one request.
    again = _link(officer, public_post, world.tenant_a)
    assert "已在诉求台账中" in again.content.decode()
    assert ServiceRequest.objects.filter(feedback_post=public_post).count() == 1


def test_only_a_tenant_of_the_posts_centre_and_only_by_those_who_follow_the_board(world, public_post):
    officer = officer_for(world.centre_a)
    _link(officer, public_post, world.tenant_b)
    public_post.refresh_from_db()
    assert public_post.service_request is None
    left = make_tenant(world.centre_a, "TA099", "已撤场商户")
    left.status = "left"
    left.save()
    _link(officer, public_post, left)
    public_post.refresh_from_db()
    assert public_post.service_request is None
    # A web editor reads the board but does not follow it up.
    from portal.models import Role
    from tests.base import make_staff

    editor = make_staff("editor9@a.test", world.centre_a, Role.WEB_EDITOR)
    assert 'data-testid="link-form"' not in _inspect(editor, public_post)
    assert FeedbackPost.objects.get(pk=public_post.pk).service_request_id is None
