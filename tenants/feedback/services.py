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
from tenants.models import Channel, RequestEntry, ServiceRequest, Tenant
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
    staff approve it. It joins the request log when it is shown
    (board_moderate), not before: what staff hide (spam) stays out."""
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


def _lock_followed(actor, post: FeedbackPost) -> FeedbackPost:
    """The post's row locked, for someone who follows its centre's board
    (else 403): a double click waits for the first and finds its result."""
    post = FeedbackPost.objects.select_for_update(of=("self",)).get(pk=post.pk)
    if not follows_board(actor, post.centre_id):
        raise PermissionDenied
    return post


def _public_post_request(*, actor, post: FeedbackPost, tenant: Tenant | None, request: HttpRequest | None):
    """A member of the public's post as a request of the log (4.16: every
    post is one): channel website/forum, followed by the web follow-up
    officer (request_create assigns them), its deadlines counted from the
    post's time, the poster's name as its contact. `tenant` is
    the shop it concerns, or None: about the centre (parking, a lift)."""
    # Not the poster's name or email: once the officer names the shop, its
    # contacts read this in the portal. Staff have both on the post and the
    # name as the request's contact (the record form's column).
    by = _("Posted on the board by a member of the public.")
    try:
        return request_create(actor=actor, tenant=tenant, centre=post.centre, category=REQUEST_CATEGORY[post.kind],
                              subject=post.subject, description=f"{post.body}\n\n{by}", channel=Channel.WEB,
                              contact_name=post.public_name, received_at=post.created_at, request=request,
                              from_board=True)
    except RequestError as refused:  # shown to the officer as any refusal of the board
        raise BoardError(str(refused)) from refused


def board_moderate(*, actor, post: FeedbackPost, show: bool, request: HttpRequest | None = None) -> FeedbackPost:
    """Staff show a held post on the board, or hide a post. A member of the
    public's post shown joins the request log then, once (a tenant's is in
    it from the start); one hidden does not, so spam never reaches the log."""
    with transaction.atomic():
        post = _lock_followed(actor, post)
        target = Visibility.SHOWN if show else Visibility.HIDDEN
        if post.visibility == target:
            raise BoardError(_("The post is already in that state."))
        before = post.visibility
        post.visibility, post.moderated_by = target, actor
        changed = ["visibility", "moderated_by"]
        if show and post.from_public and post.service_request_id is None:
            post.service_request = _public_post_request(actor=actor, post=post, tenant=None, request=request)
            changed.append("service_request")
        post.save(update_fields=changed)
        audit_record(actor=actor, action="feedback.shown" if show else "feedback.hidden", obj=post, request=request,
                     details={"from": before, "request": post.service_request.number if post.service_request else None})
    return post


def board_post_link(*, actor, post: FeedbackPost, tenant: Tenant, request: HttpRequest | None = None) -> FeedbackPost:
    """Staff following the board name the shop a member of the public's post
    concerns (a complaint about a shop, say), once: its request, about the
    centre until now, becomes that tenant's (their contacts then follow it
    in the portal, as they follow a request made about them by phone). A
    public post not in the log yet (hidden, or shown before every shown post
    joined the log) is put in it for that tenant."""
    with transaction.atomic():
        post = _lock_followed(actor, post)
        if tenant.centre_id != post.centre_id:
            raise BoardError(_("Choose a tenant of the post's centre."))
        if not post.from_public:
            raise BoardError(_("The post is already in the request log."))
        if post.service_request_id is None:
            post.service_request = _public_post_request(actor=actor, post=post, tenant=tenant, request=request)
            post.save(update_fields=["service_request"])
        else:
            _request_tenant_set(actor=actor, sr=post.service_request, tenant=tenant, request=request)
        audit_record(actor=actor, action="feedback.linked", obj=post, request=request,
                     details={"request": post.service_request.number, "tenant": tenant.pk})
    return post


def _request_tenant_set(*, actor, sr: ServiceRequest, tenant: Tenant, request: HttpRequest | None) -> None:
    """The request of a public post gets its tenant, once: the request row
    locked, so two officers naming two shops at once cannot both succeed."""
    sr = ServiceRequest.objects.select_for_update().get(pk=sr.pk)
    if sr.tenant_id is not None:
        raise BoardError(_("The post's request already names the shop it concerns."))
    sr.tenant = tenant
    sr.save(update_fields=["tenant"])
    # Internal: the shop's contacts, who see the request from now on, need
    # not read who on the staff decided it was about them.
    RequestEntry.objects.create(request=sr, kind=RequestEntry.Kind.NOTE, actor=actor, public=False,
                                body=_("Shop concerned: %(tenant)s") % {"tenant": tenant})
    audit_record(actor=actor, action="request.tenant_set", obj=sr, request=request, details={"tenant": tenant.pk})


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
