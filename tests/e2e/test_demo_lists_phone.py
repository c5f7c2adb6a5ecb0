"""The staff admin's lists on a 390 px phone, as each demo role finds them:
nothing scrolls the page sideways and nothing is cut off at the screen's
edge. A list wider than the phone (requests, tenants, contacts, the storage
log, the fire-safety overview: five to ten columns) scrolls inside its own
box, the way Wagtail's content area allows (it clips what sticks out, so the
page itself never scrolls sideways and a cut column would go unseen by
`scrollWidth` alone: tests/e2e/journey.py's OVERFLOWING names it).

On the demo data (seed_demo), so every list has rows of real length.
Screenshots: var/screenshots/admin-lists-phone/."""

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


def _sign_in(browser, base_url, email):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
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
    assert not problems, "\n".join(problems)
