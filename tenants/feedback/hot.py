"""Hot issues (4.16): posts on one topic grouped, followed by a named person
with a response plan. A topic is hot when staff say so, or when one kind of
post (complaints, say) comes HOT_COUNT times within HOT_DAYS at a centre."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit_record
from tenants.feedback.decisions import BoardError
from tenants.feedback.models import FeedbackPost, HotIssue, PostKind
from tenants.feedback.selectors import follows_board
from tenants.selectors.directory import web_followup_officer

HOT_COUNT = 3
HOT_DAYS = 7


def hot_issue_detect(*, centre, kind: str, now=None) -> HotIssue | None:
    """Group the recent ungrouped posts of `kind` into a hot issue when there
    are enough of them; posts of an issue still open join it instead."""
    now = now or timezone.now()
    with transaction.atomic():
        recent = FeedbackPost.objects.select_for_update(of=("self",)).filter(
            centre=centre, kind=kind, hot_issue__isnull=True, created_at__gte=now - timedelta(days=HOT_DAYS))
        open_issue = HotIssue.objects.filter(centre=centre, kind=kind, closed_at=None, marked_by_staff=False).first()
        pks = list(recent.values_list("pk", flat=True))
        if open_issue is None and len(pks) < HOT_COUNT:
            return None
        issue = open_issue
        if issue is None:
            issue = HotIssue.objects.create(
                centre=centre, kind=kind, owner=web_followup_officer(centre),
                title=_("%(kind)s: %(n)s posts within %(days)s days") % {
                    "kind": PostKind(kind).label, "n": len(pks), "days": HOT_DAYS},
            )
            audit_record(actor=None, action="feedback.hot_found", obj=issue, details={"posts": pks, "kind": kind})
        FeedbackPost.objects.filter(pk__in=pks).update(hot_issue=issue)
    return issue


def hot_issue_mark(*, actor, post: FeedbackPost, hot_issue: HotIssue | None,
                   request: HttpRequest | None = None) -> FeedbackPost:
    """Staff put a post into a hot issue of its centre (or take it out)."""
    with transaction.atomic():
        post = FeedbackPost.objects.select_for_update(of=("self",)).get(pk=post.pk)
        if not follows_board(actor, post.centre_id):
            raise PermissionDenied
        if hot_issue is not None and hot_issue.centre_id != post.centre_id:
            raise BoardError(_("Choose one of the centre's open hot issues."))
        before = post.hot_issue_id
        post.hot_issue = hot_issue
        post.save(update_fields=["hot_issue"])
        if hot_issue is not None and not hot_issue.marked_by_staff:
            HotIssue.objects.filter(pk=hot_issue.pk).update(marked_by_staff=True)
        audit_record(actor=actor, action="feedback.hot_marked", obj=post, request=request,
                     details={"from": before, "to": getattr(hot_issue, "pk", None)})
    return post


def hot_issue_close(*, actor, issue: HotIssue, outcome: str, request: HttpRequest | None = None) -> HotIssue:
    """Close a hot issue with what was done. Posts of its kind that come
    afterwards no longer join it: enough of them make a new issue."""
    outcome = (outcome or "").strip()
    if not outcome:
        raise BoardError(_("Say what was done before closing the issue."))
    with transaction.atomic():
        issue = HotIssue.objects.select_for_update(of=("self",)).get(pk=issue.pk)
        if not follows_board(actor, issue.centre_id):
            raise PermissionDenied
        if issue.closed_at is not None:
            return issue  # a second click, or another device: closed once
        issue.closed_at, issue.closed_by, issue.outcome = timezone.now(), actor, outcome
        issue.save(update_fields=["closed_at", "closed_by", "outcome"])
        audit_record(actor=actor, action="feedback.hot_closed", obj=issue, request=request,
                     details={"outcome": outcome, "posts": issue.posts.count()})
    return issue


def hot_issue_reopen(*, actor, issue: HotIssue, request: HttpRequest | None = None) -> HotIssue:
    """Open a closed hot issue again (the problem came back); its outcome is
    kept in the audit trail of the close."""
    with transaction.atomic():
        issue = HotIssue.objects.select_for_update(of=("self",)).get(pk=issue.pk)
        if not follows_board(actor, issue.centre_id):
            raise PermissionDenied
        if issue.closed_at is None:
            return issue
        issue.closed_at, issue.closed_by = None, None
        issue.save(update_fields=["closed_at", "closed_by"])
        audit_record(actor=actor, action="feedback.hot_reopened", obj=issue, request=request)
    return issue
