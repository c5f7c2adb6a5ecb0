"""Demo data for the feedback board (4.16): a few tenants' posts in centre A,
one answered through the department's approval, and the telephone block a
leader approved. Through the same services and workflows people use.
Idempotent: a centre that already has posts is left alone."""

from __future__ import annotations

from django.db import transaction

from portal.models import User
from tenants.feedback.models import FeedbackPost, FeedbackReply, PhoneBlock
from tenants.feedback.services import board_post
from tenants.models import Tenant

POSTS = [
    ("signer1@tenant.atrium.demo", "suggestion", "建议延长周末营业时间", "周末晚上九点以后客流仍然很多，建议延长到十点。"),
    ("signer2@tenant.atrium.demo", "complaint", "三楼卫生间经常缺纸", "三楼东侧卫生间下午经常没有擦手纸，顾客有意见。"),
    ("signer3@tenant.atrium.demo", "question", "中秋促销活动怎么报名", "想参加商场中秋促销，请问在哪里报名？"),
]
ANSWER = "感谢反馈。物业部已加密三楼卫生间巡查频次，每两小时补充一次擦手纸。"


def _decide(obj, user) -> None:
    task_state = obj.current_workflow_state.current_task_state
    task_state.task.specific.on_action(task_state, user, "approve")


def seed_feedback(centres: dict) -> None:
    centre = centres["BJ"]
    if FeedbackPost.objects.filter(centre=centre).exists():
        return
    officer = User.objects.get(email="web@a.atrium.demo")
    ops = User.objects.get(email="ops@a.atrium.demo")
    leader = User.objects.get(email="leader@a.atrium.demo")
    posts = []
    for email, kind, subject, body in POSTS:
        user = User.objects.get(email=email)
        tenant = Tenant.objects.filter(contacts__user=user, centre=centre).first()
        posts.append(board_post(actor=user, tenant=tenant, kind=kind, subject=subject, body=body))
    with transaction.atomic():
        reply = FeedbackReply(post=posts[1], drafter=officer, department="operations", body=ANSWER, live=False)
        reply.save()
        reply.save_revision(user=officer)
        reply.get_workflow().start(reply, officer)
        _decide(reply, ops)
        phones = PhoneBlock(centre=centre, drafter=officer, emergency="0571-8888-6119", service=centre.hotline,
                            complaint="0571-8888-6315", government="12345", live=False)
        phones.save()
        phones.save_revision(user=officer)
        phones.get_workflow().start(phones, officer)
        _decide(phones, leader)
