"""Writes of the feedback board: posting, moderating, and what a reply's
publication does. Each runs in a transaction and is audited; a post becomes
a request of the service desk through the desk's own request_create."""

from __future__ import annotations

from contextlib import suppress

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit_record
from tenants.feedback.decisions import BoardError
from tenants.feedback.hot import hot_issue_detect
from tenants.feedback.models import (
    REQUEST_CATEGORY,
    BoardSettings,
    FeedbackPost,
    FeedbackReply,
    PostKind,
    Visibility,
)
from tenants.feedback.selectors import follows_board
from tenants.models import Channel, Tenant
from tenants.services.requests import RequestError, request_create, request_reply


def _check_text(kind: str, subject: str, body: str) -> None:
    if kind not in PostKind.values:
        raise BoardError(_("Choose suggestion, complaint or question."))
    if not (subject or "").strip() or not (body or "").strip():
        raise BoardError(_("Say what the post is about."))


def board_post(*, actor, tenant: Tenant, kind: str, subject: str, body: str,
               request: HttpRequest | None = None) -> FeedbackPost:
    """A signed-in tenant's post: shown on the board at once, and recorded in
    the request log (channel website/forum), where the centre's web
    follow-up officer is assigned to it."""
    _check_text(kind, subject, body)
    with transaction.atomic():
        sr = request_create(actor=actor, tenant=tenant, category=REQUEST_CATEGORY[kind], subject=subject,
                            description=body, channel=Channel.WEB, request=request)
        post = FeedbackPost.objects.create(
            centre=tenant.centre, service_request=sr, kind=kind, subject=sr.subject, body=sr.description,
            author=actor, tenant=tenant, visibility=Visibility.SHOWN,
        )
        audit_record(actor=actor, action="feedback.posted", obj=post, request=request,
                     details={"request": sr.number, "kind": kind, "assignee": sr.assignee_id})
        hot_issue_detect(centre=post.centre, kind=kind)
    return post


def board_public_post(*, centre, kind: str, subject: str, body: str, name: str, email: str = "",
                      request: HttpRequest | None = None) -> FeedbackPost:
    """A member of the public's post, where the centre allows it: held until
    staff approve it. It is not a tenant's, so it joins the request log only
    when staff link it to a tenant (see board_moderate)."""
    if not BoardSettings.public_posting(centre):
        raise PermissionDenied
    _check_text(kind, subject, body)
    if not (name or "").strip():
        raise BoardError(_("Give your name."))
    with transaction.atomic():
        post = FeedbackPost.objects.create(
            centre=centre, kind=kind, subject=subject.strip()[:200], body=body.strip(), public_name=name.strip()[:100],
            public_email=(email or "").strip(), visibility=Visibility.HELD,
        )
        audit_record(actor=None, action="feedback.posted_public", obj=post, request=request, details={"kind": kind})
    return post


def board_moderate(*, actor, post: FeedbackPost, show: bool, request: HttpRequest | None = None) -> FeedbackPost:
    """Staff show a held post on the board, or hide a post."""
    with transaction.atomic():
        post = FeedbackPost.objects.select_for_update(of=("self",)).get(pk=post.pk)
        if not follows_board(actor, post.centre_id):
            raise PermissionDenied
        target = Visibility.SHOWN if show else Visibility.HIDDEN
        if post.visibility == target:
            raise BoardError(_("The post is already in that state."))
        before = post.visibility
        post.visibility, post.moderated_by = target, actor
        post.save(update_fields=["visibility", "moderated_by"])
        audit_record(actor=actor, action="feedback.shown" if show else "feedback.hidden", obj=post, request=request,
                     details={"from": before})
    return post


def reply_announce(reply_id: int) -> bool:
    """What a reply's first publication does, once: the reply goes on the
    request's timeline (the desk's request_reply, in the drafter's name),
    the poster's portal notice is set and their email queued. A second
    publication (a corrected reply approved again) changes the board only."""
    with transaction.atomic():
        reply = FeedbackReply.objects.select_for_update(of=("self",)).select_related("post", "post__service_request").get(
            pk=reply_id)
        if reply.announced_at is not None or not reply.live:
            return False
        post = reply.post
        FeedbackReply.objects.filter(pk=reply.pk).update(announced_at=timezone.now())
        if post.service_request is not None and post.service_request.is_open and reply.drafter is not None:
            # The drafter may no longer work on the request (moved on since
            # drafting): the approved reply is still the board's answer.
            with suppress(PermissionDenied, RequestError):
                request_reply(actor=reply.drafter, service_request=post.service_request, body=reply.body)
        if post.tenant_id:
            FeedbackPost.objects.filter(pk=post.pk).update(reply_unseen=True)
        audit_record(actor=reply.drafter, action="feedback.reply_published", obj=post,
                     details={"reply": reply.pk, "department": reply.department})
        from tenants.feedback.tasks import notify_reply_published

        transaction.on_commit(lambda: notify_reply_published.delay(reply_id))
    return True


def replies_seen(*, user, posts) -> int:
    """The tenant opened their posts: the notice on /my/ goes away."""
    return posts.filter(reply_unseen=True).update(reply_unseen=False)
