"""A member of the public's post joins the request log when staff show it
(4.16: every post is a request, channel website/forum, followed by the web
follow-up officer): once, about the centre (no tenant). A hidden post stays
out. On the post's page the officer may then name the shop it concerns,
once; a public post not in the log yet is put in it for that shop."""

import pytest
from django.urls import reverse

from portal.models.audit import AuditEvent
from tenants.feedback.decisions import BoardError
from tenants.feedback.models import BoardSettings, FeedbackPost, Visibility
from tenants.feedback.services import board_moderate, board_post_link, board_public_post
from tenants.models import Channel, RequestEntry, ServiceRequest
from tenants.services.request_status import request_close, request_reopen
from tests.base import logged_in, make_tenant

from .helpers import officer_for, post_as

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


def _act(user, post, action, data=None):
    return logged_in(user).post(reverse("wagtailsnippets_tenants_feedbackpost:act", args=[post.pk, action]),
                                data or {}, follow=True)


def _link(user, post, tenant):
    return _act(user, post, "link", {"tenant": tenant.pk})


def test_a_public_post_shown_becomes_one_request_about_the_centre(world, public_post):
    officer = officer_for(world.centre_a)
    assert not ServiceRequest.objects.exists()  # held: not in the log yet
    _act(officer, public_post, "show")
    _act(officer, public_post, "show")  # a double click: refused, still one request
    public_post.refresh_from_db()
    assert public_post.visibility == Visibility.SHOWN
    sr = public_post.service_request
    assert ServiceRequest.objects.count() == 1
    assert sr.tenant is None and sr.centre == world.centre_a and sr.channel == Channel.WEB
    assert sr.assignee == officer and sr.category == "complaint" and sr.created_at == public_post.created_at
    # The name as the contact (staff's record form); the description, which the
    # shop may read once named, carries neither name nor email.
    assert sr.contact_name == "王女士" and sr.description.endswith("由公众在留言板发布。")
    assert "王女士" not in sr.description and "wang@example.com" not in sr.description
    assert sr.tenant_label == "公众留言"
    assert AuditEvent.objects.filter(action="request.created", object_id=str(sr.pk)).count() == 1
    shown = AuditEvent.objects.get(action="feedback.shown", object_id=str(public_post.pk))
    assert shown.details["request"] == sr.number
    # Hidden and shown again: the same request.
    board_moderate(actor=officer, post=public_post, show=False)
    board_moderate(actor=officer, post=public_post, show=True)
    assert ServiceRequest.objects.count() == 1


def test_a_hidden_public_post_never_reaches_the_log(world, public_post):
    officer = officer_for(world.centre_a)
    _act(officer, public_post, "hide")
    public_post.refresh_from_db()
    assert public_post.visibility == Visibility.HIDDEN and public_post.service_request is None
    assert not ServiceRequest.objects.exists()


def test_a_tenants_post_shown_again_keeps_its_one_request(world):
    officer = officer_for(world.centre_a)
    post = post_as(world)
    board_moderate(actor=officer, post=post, show=False)
    board_moderate(actor=officer, post=post, show=True)
    assert ServiceRequest.objects.count() == 1 and ServiceRequest.objects.get().tenant == world.tenant_a
    with pytest.raises(BoardError):  # a tenant's post names its shop already
        board_post_link(actor=officer, post=post, tenant=world.tenant_a2)


def test_the_officer_names_the_shop_a_shown_post_concerns_once(world, public_post):
    officer = officer_for(world.centre_a)
    board_moderate(actor=officer, post=public_post, show=True)
    page = _inspect(officer, public_post)
    assert 'data-testid="link-form"' in page and "公众留言" in page and world.tenant_a.trading_name in page
    assert world.tenant_b.trading_name not in page  # another centre's tenants are not offered

    response = _link(officer, public_post, world.tenant_a)
    assert "已记入诉求台账" in response.content.decode()
    public_post.refresh_from_db()
    sr = public_post.service_request
    assert sr.tenant == world.tenant_a and ServiceRequest.objects.count() == 1
    note = sr.entries.get(kind=RequestEntry.Kind.NOTE)
    assert not note.public and world.tenant_a.trading_name in note.body
    assert AuditEvent.objects.filter(action="request.tenant_set", object_id=str(sr.pk)).count() == 1
    assert AuditEvent.objects.filter(action="feedback.linked", object_id=str(public_post.pk)).count() == 1
    assert 'data-testid="link-form"' not in _inspect(officer, public_post)

    # A second click, another shop, another device: the first stands.
    again = _link(officer, public_post, world.tenant_a2)
    assert "已写明所涉商户" in again.content.decode()
    sr.refresh_from_db()
    assert sr.tenant == world.tenant_a and ServiceRequest.objects.filter(feedback_post=public_post).count() == 1


def test_the_shop_named_reads_the_post_but_not_who_wrote_it(world, public_post):
    officer = officer_for(world.centre_a)
    board_moderate(actor=officer, post=public_post, show=True)
    _link(officer, public_post, world.tenant_a)
    public_post.refresh_from_db()
    page = logged_in(world.signer_a).get(reverse("tenants:my_request", args=[public_post.service_request.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and "在一楼奶茶店排队时店员态度很差。" in text and "由公众在留言板发布。" in text
    assert "王女士" not in text and "wang@example.com" not in text


def test_the_shop_named_neither_rates_nor_reopens_the_posts_request(world, public_post):
    """The shop is what the post is about, not who asked: a rating of its own
    would count in the centre's satisfaction as the asker's (R26)."""
    officer = officer_for(world.centre_a)
    board_moderate(actor=officer, post=public_post, show=True)
    _link(officer, public_post, world.tenant_a)
    sr = ServiceRequest.objects.get(feedback_post=public_post)
    request_close(actor=officer, service_request=sr, resolution="已约谈店长并培训店员。")
    shop = logged_in(world.signer_a)
    page = shop.get(reverse("tenants:my_request", args=[sr.pk])).content.decode()
    assert "已约谈店长并培训店员。" in page
    assert 'data-testid="rate-form"' not in page and reverse("tenants:my_request_reopen", args=[sr.pk]) not in page
    for name, data in (("tenants:my_request_rate", {"rating": "5", "comment": ""}),
                       ("tenants:my_request_reopen", {"reason": "已处理好"})):
        answer = shop.post(reverse(name, args=[sr.pk]), data, follow=True)
        assert answer.status_code == 200 and "所涉商户不对其评价，也不能重新打开" in answer.content.decode()
    sr.refresh_from_db()
    assert sr.rating is None and sr.status == "closed" and sr.reopen_count == 0
    # Staff of the centre may still reopen it.
    request_reopen(actor=world.ops_a, service_request=sr, reason="留言人再次反映")
    sr.refresh_from_db()
    assert sr.status != "closed"


def test_a_public_post_not_in_the_log_is_put_in_it_for_the_shop(world, public_post):
    """Hidden (or shown before every shown post joined the log): naming its
    shop puts it in the log, as before."""
    officer = officer_for(world.centre_a)
    FeedbackPost.objects.filter(pk=public_post.pk).update(visibility=Visibility.SHOWN)  # shown before the change
    _link(officer, public_post, world.tenant_a)
    public_post.refresh_from_db()
    sr = public_post.service_request
    assert sr.tenant == world.tenant_a and sr.channel == Channel.WEB and sr.assignee == officer
    assert sr.created_at == public_post.created_at and sr.contact_name == "王女士"
    assert ServiceRequest.objects.count() == 1


def test_only_a_tenant_of_the_posts_centre_and_only_by_those_who_follow_the_board(world, public_post):
    officer = officer_for(world.centre_a)
    board_moderate(actor=officer, post=public_post, show=True)
    _link(officer, public_post, world.tenant_b)
    with pytest.raises(BoardError):
        board_post_link(actor=officer, post=public_post, tenant=world.tenant_b)
    public_post.refresh_from_db()
    assert public_post.service_request.tenant is None
    left = make_tenant(world.centre_a, "TA099", "已撤场商户")
    left.status = "left"
    left.save()
    _link(officer, public_post, left)
    public_post.refresh_from_db()
    assert public_post.service_request.tenant is None
    # A web editor reads the board but does not follow it up.
    from portal.models import Role
    from tests.base import make_staff

    editor = make_staff("editor9@a.test", world.centre_a, Role.WEB_EDITOR)
    assert 'data-testid="link-form"' not in _inspect(editor, public_post)
    _link(editor, public_post, world.tenant_a)
    assert ServiceRequest.objects.get().tenant is None
