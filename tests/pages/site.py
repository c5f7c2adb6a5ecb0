"""A published site for the test world: centre A with a bulletin (one public,
one tenant-only notice), a handbook and fee schedules; centre B with a home."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from portal.models import (
    CentreHomePage,
    FeeItem,
    FeeScheduleIndexPage,
    FeeSchedulePage,
    HandbookChapterPage,
    HandbookPage,
    NoticeIndexPage,
    NoticePage,
    Role,
    User,
)
from portal.pages.privacy import page_apply_audience
from portal.pages.site import centre_site_ensure
from tests.base import World, make_staff


@dataclass
class SiteWorld:
    w: World
    reviewer_a: User
    reviewer_b: User
    editor_b: User
    home_a: CentreHomePage
    home_b: CentreHomePage
    bulletin_a: NoticeIndexPage
    public_notice: NoticePage
    private_notice: NoticePage
    handbook_a: HandbookPage
    chapters: list
    fees_a: FeeScheduleIndexPage


def publish(parent, page, *, by: User):
    """What an approved workflow ends with: the revision published by a reviewer."""
    page.live = False
    parent.add_child(instance=page)
    page.save_revision(user=by).publish(user=by)
    page.refresh_from_db()
    page_apply_audience(page, published=True)
    return page


def build_site(w: World) -> SiteWorld:
    reviewer_a = make_staff("reviewer@a.test", w.centre_a, Role.WEB_REVIEWER)
    reviewer_b = make_staff("reviewer@b.test", w.centre_b, Role.WEB_REVIEWER)
    editor_b = make_staff("editor@b.test", w.centre_b, Role.WEB_EDITOR)
    home_a = centre_site_ensure(w.centre_a)
    home_b = centre_site_ensure(w.centre_b)
    bulletin = publish(home_a, NoticeIndexPage(title="公告栏", slug="notices"), by=reviewer_a)
    public = publish(bulletin, NoticePage(title="国庆假期营业时间调整公告", slug="holiday-hours", audience="public",
                                          category="operations", body="<p>国庆期间营业至22:30。</p>"), by=reviewer_a)
    private = publish(bulletin, NoticePage(title="消防安全通知", slug="fire", audience="tenants", category="safety",
                                           body="<p>安全部将于本月进行消防安全检查，请做好自查。</p>"), by=reviewer_a)
    handbook = publish(home_a, HandbookPage(title="租户服务管理手册", slug="handbook", audience="tenants",
                                            intro="<p>为租户提供便利。</p>"), by=reviewer_a)
    chapters = [
        publish(handbook, HandbookChapterPage(title=title, slug=slug, body=f"<h2>{title}</h2><p>{text}</p>"), by=reviewer_a)
        for title, slug, text in [
            ("服务热线", "hotline", "24小时服务热线全年无休。"),
            ("装修施工", "works", "施工须提前3个工作日申请。"),
            ("消防安全", "fire", "每月进行消防安全检查。"),
        ]
    ]
    fees = publish(home_a, FeeScheduleIndexPage(title="收费标准", slug="fees", audience="public"), by=reviewer_a)
    for year, price in ((2025, "26.00"), (2026, "28.00")):
        schedule = FeeSchedulePage(title=f"{year}年度收费标准", slug=f"fees-{year}", effective_from=date(year, 1, 1))
        schedule.items = [FeeItem(kind="service", name="物业服务费", price=price, unit="元/m²/月"),
                          FeeItem(kind="paid", name="建筑垃圾清运", price="150.00", unit="元/车")]
        publish(fees, schedule, by=reviewer_a)
    return SiteWorld(
        w=w, reviewer_a=reviewer_a, reviewer_b=reviewer_b, editor_b=editor_b, home_a=home_a, home_b=home_b,
        bulletin_a=bulletin, public_notice=public, private_notice=private, handbook_a=handbook, chapters=chapters,
        fees_a=fees,
    )


def notice_form(title: str, *, slug: str, audience: str = "tenants", **extra) -> dict:
    """The admin's create/edit form for a notice, as the browser posts it."""
    data = {
        "title": title, "slug": slug, "category": "general", "audience": audience, "summary": "",
        "body": rich_text(f"<p>{title}的正文。</p>"),
        "attachments": inline_formset([]),
        "comments": inline_formset([]),
        "go_live_at": "", "expire_at": "", "seo_title": "", "search_description": "",
    }
    data.update(extra)
    return nested_form_data(data)
