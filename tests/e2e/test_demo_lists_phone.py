"""The staff admin's lists on a 390 px phone, as each demo role finds them:
nothing scrolls the page sideways and nothing is cut off at the screen's
edge. A list wider than the phone (requests, tenants, contacts, the storage
log, the fire-safety overview: five to ten columns) scrolls inside its own
box, the way Wagtail's content area allows (it clips what sticks out, so the
page itself never scrolls sideways and a cut column would go unseen by
`scrollWidth` alone: tests/e2e/journey.py's OVERFLOWING names it).

The desk's own lists (the request log, the storage log) are also looked at
on the clerk's 1366x768 desktop screen in Chinese: every column, the last
(处理人, 领取人) included, is on the screen without any sideways scrolling,
of the page or of the table's box.

On the demo data (seed_demo), so every list has rows of real length.
Screenshots: var/screenshots/admin-lists-phone/, admin-lists-desktop/."""

import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from notices.fire.models import InspectionRound

from .conftest import PHONE
from .journey import FULL_HEIGHT, OVERFLOWING, SHOTS

pytestmark = pytest.mark.browser

# Each role's lists (URL, and whether it has a table of rows on the demo data).
LISTS = {
    "ops@a.atrium.demo": [
        ("/admin/snippets/tenants/servicerequest/", True), ("/admin/snippets/tenants/storagedeposit/", True),
        ("/admin/snippets/tenants/tenant/", True), ("/admin/snippets/tenants/unit/", True),
        ("/admin/snippets/tenants/contact/", True), ("/admin/archive/documents/", True),
        ("/admin/recordings/log/", True), ("/admin/fire/", True), ("fire-round", True),
        ("/admin/snippets/notices/letter/", True), ("/admin/snippets/tenants/feedbackpost/", True),
        ("/visits/", False), ("/visits/meetings/", False),
    ],
    "drafter@a.atrium.demo": [("/admin/snippets/notices/letter/", True), ("/admin/snippets/notices/lettertemplate/", True)],
    "seal@a.atrium.demo": [("/admin/snippets/notices/sealuse/", True)],
    "web@a.atrium.demo": [("/admin/snippets/tenants/feedbackpost/", True), ("/admin/snippets/tenants/feedbackreply/", True),
                          ("/admin/snippets/tenants/hotissue/", False), ("/admin/snippets/tenants/phoneblock/", True)],
    "editor@a.atrium.demo": [("/admin/alerts/", False), ("/admin/greetings/", False)],
    "manager@atrium.demo": [("/admin/snippets/tenants/servicerequest/", True), ("/admin/visits/dashboard/", True)],
}


DESKTOP = {"width": 1366, "height": 768}
# The lists a desk clerk keeps open all day, on the common office screen.
DESK_LISTS = {
    "ops@a.atrium.demo": ["/admin/snippets/tenants/servicerequest/", "/admin/snippets/tenants/storagedeposit/"],
    "manager@atrium.demo": ["/admin/snippets/tenants/servicerequest/"],
}

# Where the listing's last column ends, and the right edge of what shows it:
# the window, or the box the table scrolls in (narrower when it scrolls).
LAST_COLUMN = """() => {
  const th = document.querySelector('table.listing thead th:last-child');
  if (!th) return null;
  let edge = innerWidth;
  for (let p = th.parentElement; p; p = p.parentElement) {
    if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(p).overflowX)) {
      edge = Math.min(edge, p.getBoundingClientRect().left + p.clientWidth);
    }
  }
  return [th.textContent.trim(), Math.round(th.getBoundingClientRect().right), Math.round(edge)];
}"""


# A cell whose text runs over more than one line: a request number broken at
# its hyphen, a date split from its time, a subject over three lines.
WRAPPED = """() => {
  const heads = [...document.querySelectorAll('table.listing thead th')].map(th => th.textContent.trim());
  const out = [];
  for (const tr of document.querySelectorAll('table.listing tbody tr')) {
    [...tr.children].forEach((td, i) => {
      const walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        if (!n.textContent.trim() || n.parentElement.getBoundingClientRect().width <= 1) continue;
        const range = document.createRange();
        range.selectNodeContents(n);
        const lines = new Set([...range.getClientRects()].filter(r => r.width > 1).map(r => Math.round(r.top)));
        if (lines.size > 1) { out.push(`${heads[i] || i}: ${n.textContent.trim().slice(0, 24)}`); break; }
      }
    });
    if (out.length >= 4) break;
  }
  return out;
}"""


def _real_length_entries() -> None:
    """The demo's subjects and parcels are short; what tenants and clerks
    write is not. One request, its assignee and one storage entry of the
    ops member's centre as long as the desk meets them."""
    from tenants.models import ServiceRequest, StorageDeposit

    request = ServiceRequest.objects.filter(assignee__isnull=False).order_by("-created_at").first()
    request.subject = "三楼东侧公共卫生间洗手台下水管道长期渗漏导致地面积水，顾客多次投诉，请尽快安排维修并告知处理时间"
    request.save(update_fields=["subject"])
    request.assignee.full_name = "欧阳明月"
    request.assignee.save(update_fields=["full_name"])
    StorageDeposit.objects.filter(pk=StorageDeposit.objects.filter(centre=request.centre).order_by("-deposited_at")
                                  .values("pk")[:1]).update(items="快递包裹三件（含易碎品一件，需轻拿轻放）、宣传物料一箱",
                                                           location="服务台后柜 A-3 号格（左起第二层）")


def _sign_in(browser, base_url, email, viewport=PHONE):
    phone = viewport == PHONE
    context = browser.new_context(viewport=viewport, locale="zh-CN", is_mobile=phone, has_touch=phone)
    page = context.new_page()
    page.set_default_timeout(30000)
    page.goto(base_url + "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", settings.ATRIUM_DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("#main form button[type=submit]").first.click()
    return context, page


def _look(page, folder, name) -> list[str]:
    """What is wrong with the page at phone width; its screenshot, taken."""
    width, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    problems = [f"the page scrolls sideways ({width}px > {inner}px)"] if width > inner else []
    problems += [f"cut off: {what}" for what in page.evaluate(OVERFLOWING)]
    page.set_viewport_size({"width": PHONE["width"], "height": min(page.evaluate(FULL_HEIGHT), 8000)})
    page.screenshot(path=folder / f"{name}.png", full_page=True)
    page.set_viewport_size(PHONE)
    return problems


def _desk_problems(browser, base_url) -> list[str]:
    """The desk's lists at 1366x768: no sideways scroll, the last column in
    view, one line a row."""
    _real_length_entries()
    folder = SHOTS / "admin-lists-desktop"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    problems = []
    for email, urls in DESK_LISTS.items():
        context, page = _sign_in(browser, base_url, email, DESKTOP)
        try:
            for url in urls:
                page.goto(base_url + url)
                page.wait_for_load_state("load")
                page.evaluate("document.fonts.ready.then(() => true)")
                where = f"{email} {url} at 1366px"
                width, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
                if width > inner:
                    problems.append(f"{where}: the page scrolls sideways ({width}px > {inner}px)")
                last = page.evaluate(LAST_COLUMN)
                if last is None or not page.locator("table.listing tbody tr").count():
                    problems.append(f"{where}: no rows to judge")
                elif last[1] > last[2]:
                    problems.append(f"{where}: the last column ({last[0]}) ends at {last[1]}px, past {last[2]}px")
                problems += [f"{where}: cut off: {what}" for what in page.evaluate(OVERFLOWING)]
                problems += [f"{where}: wraps: {what}" for what in page.evaluate(WRAPPED)]
                page.screenshot(path=folder / (email.split("@")[0] + "-" + url.strip("/").replace("/", "-") + ".png"))
        finally:
            context.close()
    return problems


def _seed_demo() -> None:
    """seed_demo in a thread of its own: Playwright's event loop runs in the
    test's thread, where pyHanko's asyncio.run (the demo's sealed PDFs) may not."""
    def seed():
        try:
            call_command("seed_demo", quiet=True, render_later=True)
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(seed).result()


def test_every_staff_list_fits_a_phone_or_scrolls_in_its_own_box(transactional_db, browser, live_server):
    _seed_demo()
    fire_round = f"/admin/fire/rounds/{InspectionRound.objects.order_by('-month').first().pk}/"
    folder = SHOTS / "admin-lists-phone"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    problems = []
    for email, lists in LISTS.items():
        context, page = _sign_in(browser, live_server.url, email)
        try:
            for url, has_rows in lists:
                url = fire_round if url == "fire-round" else url
                response = page.goto(live_server.url + url)
                page.wait_for_load_state("load")
                where = f"{email} {url}"
                if response.status != 200:
                    problems.append(f"{where}: answered {response.status}")
                    continue
                if has_rows and not page.locator("table tbody tr").count():
                    problems.append(f"{where}: no rows to judge")
                name = email.split("@")[0] + "-" + url.strip("/").replace("/", "-")
                problems += [f"{where}: {found}" for found in _look(page, folder, name)]
        finally:
            context.close()
    problems += _desk_problems(browser, live_server.url)
    assert not problems, "\n".join(problems)
