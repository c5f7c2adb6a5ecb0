"""The feedback board's test cast: centre A's web follow-up officer and the
reply's steps, as a person would take them."""

from __future__ import annotations

from portal.models import Department, Role
from tenants.feedback.models import FeedbackReply, PhoneBlock
from tenants.feedback.services import board_post
from tests.base import make_staff
from tests.workflows import decide, save_draft, submit

__all__ = ["decide", "draft_phones", "draft_reply", "officer_for", "post_as", "submit"]


def officer_for(centre, email="web@a.test"):
    return make_staff(email, centre, Role.WEB_FOLLOWUP, department=Department.MARKETING)


def post_as(world, user=None, tenant=None, **fields):
    values = {"kind": "complaint", "subject": "空调不制冷", "body": "三楼走廊空调一直不制冷。"}
    values.update(fields)
    return board_post(actor=user or world.signer_a, tenant=tenant or world.tenant_a, **values)


def draft_reply(post, drafter, *, department=Department.OPERATIONS, body="已安排工程部今日检修，谢谢反馈。"):
    return save_draft(FeedbackReply(post=post, drafter=drafter, department=department, body=body, live=False), drafter)


def draft_phones(centre, drafter, **fields):
    values = {"emergency": "0571-1000-0119", "service": "0571-1000-0000", "complaint": "0571-1000-0315",
              "government": "12345"}
    values.update(fields)
    return save_draft(PhoneBlock(centre=centre, drafter=drafter, live=False, **values), drafter)
