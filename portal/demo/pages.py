"""Demo published content: each centre's site, the handbook with its editions,
fee schedules, notices (public and tenant-only), a past typhoon alert with
confirmations and holiday greetings. Idempotent: pages are keyed by slug and
never overwritten, so staff edits survive a re-run."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from wagtail.documents.models import Document

from portal.broadcasts.greetings import default_text
from portal.models import (
    AlertKind,
    AlertLevel,
    AlertRecipient,
    AlertStatus,
    BroadcastAlert,
    FeeItem,
    FeeScheduleIndexPage,
    FeeSchedulePage,
    GreetingStatus,
    HandbookChapterPage,
    HandbookEdition,
    HandbookPage,
    HolidayGreeting,
    NoticeAttachment,
    NoticeIndexPage,
    NoticePage,
    User,
)
from portal.pages.handbook import (
    handbook_acknowledge,
    handbook_edition_issue,
    handbook_edition_render,
)
from portal.pages.privacy import page_apply_audience
from portal.pages.site import centre_collection, centre_site_ensure
from portal.pdf.kept import PDF_FIELDS
from tenants.models import Contact, Tenant

from .handbook_text import CHAPTERS, FOREWORD
from .later import render_now

TZ = timezone.get_current_timezone()


def _at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


def _publish(page, *, editor, reviewer, when: datetime | None = None):
    revision = page.save_revision(user=editor)
    revision.publish(user=reviewer)
    page.refresh_from_db()
    page_apply_audience(page, published=True)
    if when:
        type(page).objects.filter(pk=page.pk).update(first_published_at=when, last_published_at=when)
    return page


def _child(parent, model, slug, *, editor, reviewer, when=None, **fields):
    page = model.objects.child_of(parent).filter(slug=slug).first()
    if page is not None:
        return page
    items = fields.pop("items", None)
    page = model(slug=slug, owner=editor, **fields)
    if items:
        page.items = items
    parent.add_child(instance=page)
    return _publish(page, editor=editor, reviewer=reviewer, when=when)


def _pdf_document(title: str, collection) -> Document:
    existing = Document.objects.filter(title=title, collection=collection).first()
    if existing:
        return existing
    from weasyprint import HTML

    html = f'<html lang="zh-CN"><body style="font-family: \'Noto Sans CJK SC\', \'WenQuanYi Zen Hei\', sans-serif"><h1>{title}</h1><p>附件示例（演示数据）。</p></body></html>'
    pdf = HTML(string=html).write_pdf()
    document = Document(title=title, collection=collection)
    document.file.save(f"{title}.pdf", ContentFile(pdf), save=False)
    document.save()
    return document


def seed_pages(centres: dict) -> None:
    editor = User.objects.get(email="editor@a.atrium.demo")
    reviewer = User.objects.get(email="reviewer@a.atrium.demo")
    superuser = User.objects.filter(is_superuser=True).first() or reviewer
    for code, centre in centres.items():
        home = centre_site_ensure(centre)
        if not home.live:
            _publish(home, editor=superuser, reviewer=superuser)
        if code == "BJ":
            _seed_full(centre, home, editor=editor, reviewer=reviewer)
        else:
            _seed_small(centre, home, editor=superuser, reviewer=superuser)
    _seed_alert(centres["BJ"])
    _seed_greetings(centres)


def _seed_full(centre, home, *, editor, reviewer) -> None:
    today = timezone.localdate()
    bulletin = _child(home, NoticeIndexPage, "notices", title="公告栏", editor=editor, reviewer=reviewer,
                      intro="<p>中心发布的各类通知公告。标注“仅限租户”的通知请登录租户门户查看。</p>")
    notices = [
        ("fire-inspection", "11月消防安全检查通知", "safety", "tenants", 20,
         "安全部将于本月对全部店铺进行消防安全检查。",
         "<p>各位租户：</p><p>根据中心消防安全管理规定，安全部将于本月15日至20日对全部店铺进行月度消防安全检查，重点检查灭火器有效期、电气线路、燃气报警装置及疏散通道。请各店铺店长做好自查并配合检查。</p>"),
        ("b1-pipe-works", "B1层给排水管道检修施工通知", "works", "tenants", 8,
         "B1层将于夜间进行给排水管道检修，期间暂停供水。",
         "<p>各位租户：</p><p>为保障供水安全，工程部定于下周二 23:00 至次日 5:00 对B1层给排水主管道进行检修，期间B1层暂停供水。请受影响的餐饮租户提前储水，并关闭店内用水设备。如有疑问请拨打24小时服务热线。</p>"),
        ("national-day-hours", "国庆假期营业时间调整公告", "operations", "public", 55,
         "10月1日至7日营业时间延长至22:30。",
         "<p>尊敬的顾客和租户：</p><p>国庆假期（10月1日至7日）中心营业时间调整为 9:30–22:30，节后恢复正常营业时间。祝大家节日快乐！</p>"),
        ("year-end-promotion", "年终促销活动招募", "event", "public", 3,
         "12月年终促销活动开始报名，欢迎各店铺参与。",
         "<p>中心将于12月举办年终促销季活动，现面向全体租户招募参与商家，报名截止日期为本月30日，详情请见附件或咨询营运部。</p>"),
        ("fee-adjustment", "关于2026年度物业服务费标准的通知", "fees", "tenants", 330,
         "2026年1月1日起执行新的收费标准。",
         "<p>各位租户：</p><p>经公司研究决定，自2026年1月1日起执行新版收费标准，详见租户门户“收费标准”栏目。原标准在门户中保留可查。</p>"),
    ]
    for slug, title, category, audience, days_ago, summary, body in notices:
        page = _child(bulletin, NoticePage, slug, title=title, category=category, audience=audience, summary=summary,
                      body=body, editor=editor, reviewer=reviewer, when=_at(today - timedelta(days=days_ago)))
        if slug == "year-end-promotion" and not page.attachments.exists():
            NoticeAttachment.objects.create(page=page, document=_pdf_document("年终促销活动报名表", centre_collection(centre)), title="活动报名表")

    handbook = _child(home, HandbookPage, "handbook", title="租户服务管理手册", audience="tenants", intro=FOREWORD,
                      editor=editor, reviewer=reviewer)
    for title, slug, body in CHAPTERS:
        _child(handbook, HandbookChapterPage, slug, title=title, body=body.strip(), editor=editor, reviewer=reviewer)

    fees = _child(home, FeeScheduleIndexPage, "fees", title="收费标准", audience="public", editor=editor, reviewer=reviewer,
                  intro="<p>根据规程4.14，服务收费标准、代收费用收费标准、有偿服务项目及收费标准在此明示。</p>")
    for year, service_fee, promo in ((2025, "26.00", "5.00"), (2026, "28.00", "5.50")):
        _child(fees, FeeSchedulePage, f"fees-{year}", title=f"{year}年度收费标准", effective_from=date(year, 1, 1),
               editor=editor, reviewer=reviewer, notes=FEE_NOTES, items=fee_items(service_fee, promo))
    _seed_editions(handbook.specific, reviewer=reviewer)


# The demo's schedule (three tables, ten charges and a note): also what the
# printed notice is tested to fit on one A4 page with (tests/pages/test_fee_notice.py).
FEE_NOTES = "<p>以上价格均含税。代收费用按政府或供应单位价格据实收取，不加收任何费用。</p>"


def fee_items(service_fee: str, promo: str) -> list[FeeItem]:
    return [
        FeeItem(kind="service", name="物业服务费", price=service_fee, unit="元/m²/月", remarks="按租赁面积计收"),
        FeeItem(kind="service", name="推广费", price=promo, unit="元/m²/月"),
        FeeItem(kind="service", name="空调费（营业时间内）", price="12.00", unit="元/m²/月"),
        FeeItem(kind="collected", name="电费", price="按供电局价格", unit="元/kWh", remarks="每月抄表代收"),
        FeeItem(kind="collected", name="水费", price="按自来水公司价格", unit="元/吨"),
        FeeItem(kind="collected", name="燃气费", price="按燃气公司价格", unit="元/m³", remarks="仅限餐饮租户"),
        FeeItem(kind="paid", name="营业时间外加时空调", price="300.00", unit="元/小时"),
        FeeItem(kind="paid", name="店内维修（人工）", price="80.00", unit="元/小时", remarks="材料另计"),
        FeeItem(kind="paid", name="建筑垃圾清运", price="150.00", unit="元/车"),
        FeeItem(kind="paid", name="广告位租用（中庭）", price="2000.00", unit="元/周"),
    ]


def _seed_editions(handbook, *, reviewer) -> None:
    if not handbook.editions.exists():
        with transaction.atomic():
            first = handbook_edition_issue(actor=reviewer, handbook=handbook, changes="首次发布：服务总则、装修施工、消防安全、送货、收费、投诉、寄存、特殊天气共八章。", requires_ack=False)
        HandbookEdition.objects.filter(pk=first.pk).update(issued_at=timezone.now() - timedelta(days=200))
        with transaction.atomic():
            second = handbook_edition_issue(actor=reviewer, handbook=handbook, changes="修订第二章施工时间，新增第八章预警等级说明；请各租户签阅。",
                                            requires_ack=True, ack_due=timezone.localdate() + timedelta(days=14))
            # Demo contacts have invented addresses: no acknowledgement request
            # mail to all of them today (the daily reminder still runs).
            HandbookEdition.objects.filter(pk=second.pk).update(last_reminded_on=timezone.localdate())
    for edition in handbook.editions.all() if render_now() else ():  # else seed_demo_render, in the worker
        for language in PDF_FIELDS:  # Chinese and English
            handbook_edition_render(edition.pk, language)
    latest = handbook.editions.order_by("-number").first()
    for email in ("signer1@tenant.atrium.demo", "signer2@tenant.atrium.demo", "signer3@tenant.atrium.demo"):
        user = User.objects.filter(email=email).first()
        if user:
            handbook_acknowledge(user=user, edition=latest)


def _seed_small(centre, home, *, editor, reviewer) -> None:
    today = timezone.localdate()
    bulletin = _child(home, NoticeIndexPage, "notices", title="公告栏", editor=editor, reviewer=reviewer)
    _child(bulletin, NoticePage, "parking", title="停车场出入口改造公告", category="works", audience="public",
           summary="北侧停车场出入口改造，期间请从南侧出入。", editor=editor, reviewer=reviewer, when=_at(today - timedelta(days=6)),
           body="<p>北侧停车场出入口将于本周进行改造，工期约5天，期间车辆请从南侧出入口进出。</p>")


def _seed_alert(centre) -> None:
    title = "台风“海燕”橙色预警：请做好防风防雨准备"
    if BroadcastAlert.objects.filter(title=title).exists():
        return
    ops = User.objects.get(email="ops@a.atrium.demo")
    sent = timezone.now() - timedelta(days=40)
    # A past alert, recorded as it ended: recipients were notified then, so
    # nothing is sent again now.
    alert = BroadcastAlert.objects.create(
        kind=AlertKind.TYPHOON, level=AlertLevel.ORANGE, title=title, status=AlertStatus.CLOSED,
        message="受台风“海燕”影响，预计今晚至明日有大风和强降雨。请各店铺加固门头广告和玻璃门窗，将货物移离地面，检查排水，并留意中心后续通知。",
        created_by=ops, sent_by=ops, sent_at=sent, closed_at=sent + timedelta(days=2),
    )
    alert.centres.set([centre])
    tenants = list(Tenant.objects.current().filter(centre=centre).order_by("code"))
    AlertRecipient.objects.bulk_create([AlertRecipient(alert=alert, tenant=t, notified_at=sent, notify_count=1) for t in tenants])
    signer_contacts = Contact.objects.filter(tenant__centre=centre, user__isnull=False).select_related("user")
    for i, contact in enumerate(signer_contacts):
        if i == 4:
            continue  # one signatory never confirmed: staff can see and chase them
        AlertRecipient.objects.filter(alert=alert, tenant=contact.tenant).update(
            confirmed_at=sent + timedelta(minutes=10 + 7 * i), confirmed_by=contact.user
        )


def _seed_greetings(centres) -> None:
    for centre in centres.values():
        label, title, message = default_text(centre, "National Day")
        HolidayGreeting.objects.get_or_create(
            centre=centre, send_on=date(2026, 10, 1),
            defaults={"holiday": label, "title": title, "message": message, "status": GreetingStatus.SENT,
                      "sent_at": _at(date(2026, 10, 1)), "recipients": centre.tenants.count()},
        )
        label, title, message = default_text(centre, "New Year's Day")
        HolidayGreeting.objects.get_or_create(
            centre=centre, send_on=date(2027, 1, 1), defaults={"holiday": label, "title": title, "message": message},
        )
