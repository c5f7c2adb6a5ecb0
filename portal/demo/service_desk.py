"""Demo data for the service desk: requests in every state, through the same
services staff and tenants use, so deadlines, timelines and audit events are
real. Idempotent: a centre that already has requests is left alone."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from portal.models import User
from tenants.models import (
    DeadlinePolicy,
    RequestCategory,
    ServiceRequest,
    Tenant,
    TenantStatus,
)
from tenants.services.request_status import request_close, request_rate, request_reopen
from tenants.services.requests import request_assign, request_create, request_reply

# (hours ago, tenant index, channel, category, severity, subject, description, what happened next)
SCRIPT = [
    (2, 0, "portal", "repair", "ordinary", "卫生间水龙头漏水", "员工卫生间洗手台水龙头关不紧，一直滴水。", "new"),
    (30, 1, "hotline", "repair", "ordinary", "门头灯箱不亮", "昨晚起门头灯箱不亮，影响晚间营业。", "new"),
    (5, 2, "window", "enquiry", "ordinary", "装修申请流程咨询", "计划下月局部翻新，需要办理哪些手续？", "replied"),
    (20, 3, "hotline", "complaint", "ordinary", "隔壁装修噪音", "隔壁商铺白天施工噪音很大，顾客投诉。", "assigned"),
    (60, 4, "visit", "complaint", "major", "商场空调停机导致闭店", "周末下午空调停机两小时，店内温度过高被迫闭店。", "answered"),
    (100, 5, "meeting", "suggestion", "ordinary", "增加儿童游乐区指引", "建议在二楼扶梯口增加儿童区指引牌。", "closed"),
    (80, 0, "portal", "repair", "ordinary", "后仓门锁损坏", "后仓门锁无法锁闭。", "rated"),
    (200, 3, "hotline", "complaint", "ordinary", "外卖骑手占用消防通道", "骑手电动车长期停在后门消防通道。", "repeat"),
    (150, 2, "web", "enquiry", "ordinary", "停车优惠如何核销", "顾客在论坛询问消费满额停车优惠如何核销。", "rated_low"),
    (10, 8, "hotline", "emergency", "ordinary", "店内跳闸停电", "店内突然跳闸，整店停电。", "closed_fast"),
]


def seed_service_desk(centres: dict) -> None:
    bj, cb = centres["BJ"], centres["CB"]
    # The second centre answers faster than the procedure's minimum, to show
    # that the deadline table is per centre.
    DeadlinePolicy.objects.update_or_create(
        centre=cb, defaults={"response_hours": 12, "complaint_resolution_hours": 48, "major_answer_hours": 24}
    )
    for centre, ops_email in ((bj, "ops@a.atrium.demo"), (cb, "ops@b.atrium.demo")):
        if ServiceRequest.objects.filter(centre=centre).exists():
            continue
        _seed_centre(centre, User.objects.get(email=ops_email))


def _seed_centre(centre, ops) -> None:
    tenants = list(Tenant.objects.filter(centre=centre, status=TenantStatus.OPEN).order_by("code")[:9])
    drafter = User.objects.filter(memberships__centre=centre, memberships__role="drafter").first() or ops
    now = timezone.now()
    for hours, index, channel, category, severity, subject, description, fate in SCRIPT:
        tenant = tenants[index % len(tenants)]
        contact = tenant.contacts.filter(may_sign=True).first()
        sr = request_create(
            actor=ops, tenant=tenant, channel=channel, category=category, severity=severity, subject=subject,
            description=description, contact=contact, received_at=now - timedelta(hours=hours),
        )
        tenant_user = contact.user if contact and contact.user_id else None
        _play(sr, fate, ops=ops, drafter=drafter, tenant_user=tenant_user, category=category)


def _play(sr, fate, *, ops, drafter, tenant_user, category):
    if fate == "new":
        return
    request_reply(actor=ops, service_request=sr, body="您好，已收到，正在安排处理。")
    if fate == "replied":
        return
    if fate == "assigned":
        request_assign(actor=ops, service_request=sr, assignee=drafter, department="engineering")
        request_reply(actor=ops, service_request=sr, body="已联系隔壁商铺，要求避开营业高峰施工。", internal=True)
        return
    if fate == "answered":
        request_reply(
            actor=ops, service_request=sr, initial_answer=True,
            body="初步处理意见：工程部已排查为冷水机组故障，已更换部件；闭店损失请提供营业数据，我司将评估补偿方案。",
        )
        return
    request_close(actor=ops, service_request=sr, resolution="已处理完毕，请确认。")
    if fate == "repeat" and category == RequestCategory.COMPLAINT:
        request_reopen(actor=tenant_user or ops, service_request=sr, reason="问题又出现了，骑手仍然停在消防通道。")
    elif fate in ("rated", "rated_low") and tenant_user is not None:
        request_rate(actor=tenant_user, service_request=sr, rating=5 if fate == "rated" else 2,
                     comment="处理及时，师傅很专业。" if fate == "rated" else "答复太慢。")

