"""The poster's email when a reply to their post is published: once, ever,
per reply (portal.outbox.send_once), whatever retries the worker makes."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from portal.outbox import send_once
from tenants.feedback.models import FeedbackReply


def _addresses(post) -> list[str]:
    if post.public_email:
        return [post.public_email]
    if post.author is not None and post.author.email:
        return [post.author.email]
    return []


def reply_published_email(reply_id: int) -> bool:
    reply = FeedbackReply.objects.select_related("post", "post__centre", "post__author").filter(pk=reply_id).first()
    if reply is None or not reply.live:
        return False
    post = reply.post
    to = _addresses(post)
    if not to:
        return False
    link = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse(
        "feedback:post", kwargs={"code": post.centre.code, "pk": post.pk})
    with translation.override(settings.LANGUAGE_CODE):
        context = {"post": post, "reply": reply, "link": link}
        subject = render_to_string("tenants/feedback/email/reply_subject.txt", context).strip()
        body = render_to_string("tenants/feedback/email/reply_body.txt", context)
    return send_once(f"feedback-reply:{reply.pk}", emails=[EmailMessage(subject, body, None, to)])


def review_request_email(task_state_id: int) -> bool:
    """The people who may decide a board step are told it waits for them
    (4.16: the reply is reported to the department responsible), once per step."""
    from django.contrib.auth import get_user_model
    from wagtail.models import TaskState

    state = TaskState.objects.select_related("workflow_state", "task").filter(pk=task_state_id).first()
    if state is None or state.status != TaskState.STATUS_IN_PROGRESS:
        return False
    obj, task = state.workflow_state.content_object, state.task.specific
    centre_id = obj.post.centre_id if isinstance(obj, FeedbackReply) else obj.centre_id
    people = get_user_model().objects.filter(is_active=True, memberships__centre_id=centre_id,
                                             memberships__active=True).exclude(email="").distinct()
    to = sorted({u.email for u in people if task.user_may_decide(obj, u)})
    if not to:
        return False
    link = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("wagtailadmin_home")
    with translation.override(settings.LANGUAGE_CODE):
        context = {"obj": obj, "task": task, "link": link}
        subject = render_to_string("tenants/feedback/email/review_subject.txt", context).strip()
        body = render_to_string("tenants/feedback/email/review_body.txt", context)
    return send_once(f"feedback-review:{task_state_id}", emails=[EmailMessage(subject, body, None, to)])
