"""Browser tests: Debian's chromium driven by Playwright against live_server."""

import os
import shutil
from contextlib import ExitStack, closing

import pytest

from tests.base import PASSWORD, build_world

CHROMIUM = os.environ.get("ATRIUM_CHROMIUM", "/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}


# Package scope: Playwright's sync API keeps an event loop running in this
# thread while the browser is open, and code that calls asyncio.run() (pyHanko)
# must not meet it in the tests that come after the browser tests.
@pytest.fixture(scope="package")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Browser tests need Debian's chromium at {CHROMIUM} (make test installs it: apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        yield browser
        browser.close()


@pytest.fixture
def e2e_world(transactional_db):
    return build_world()


class Session:
    """One person's browser: a context of their own, console errors collected."""

    def __init__(self, browser, base_url, *, phone=False):
        self.context = browser.new_context(
            viewport=PHONE if phone else {"width": 1280, "height": 900}, locale="zh-CN", is_mobile=phone, has_touch=phone
        )
        self.page = self.context.new_page()
        self.page.set_default_timeout(15000)
        self.base_url = base_url
        self.csp_violations = []
        self.page.on(
            "console",
            lambda msg: self.csp_violations.append(msg.text) if "Content Security Policy" in msg.text else None,
        )

    def goto(self, path):
        return self.page.goto(self.base_url + path)

    def login(self, email, password=PASSWORD):
        self.goto("/accounts/login/")
        self.page.fill("input[name=login]", email)
        self.page.fill("input[name=password]", password)
        self.page.locator("#main form button[type=submit]").first.click()
        self.page.wait_for_load_state("networkidle")

    def submit(self, form_test_id):
        """Send the form with that test id, and wait for the page it leads to."""
        self.page.get_by_test_id(form_test_id).locator("button[type=submit]").click()
        self.page.wait_for_load_state("networkidle")

    def fits_phone(self) -> bool:
        """Nothing on the page is wider than a phone's screen."""
        return self.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    def small_tap_targets(self) -> list[str]:
        """The header's links and buttons shorter than a finger (44 px)."""
        return self.page.evaluate("""() => [...document.querySelectorAll('.topnav a, .topnav button')]
            .filter(e => e.getBoundingClientRect().height < 44).map(e => e.textContent.trim())""")

    def close(self):
        self.context.close()


@pytest.fixture
def session_factory(browser, live_server):
    with ExitStack() as opened:  # every session made is closed after the test

        def make(*, login=None, **kwargs):
            """A browser session; `login`: signed in as that email first."""
            s = opened.enter_context(closing(Session(browser, live_server.url, **kwargs)))
            if login:
                s.login(login)
            return s

        yield make


@pytest.fixture
def journey(browser, live_server):
    """A journey of tests/e2e/journey.py: `journey(name, language)`; call
    its finish() to report what it found."""
    from .journey import Journey

    with ExitStack() as opened:
        yield lambda name, language="zh-hans": opened.enter_context(
            closing(Journey(browser, live_server.url, name, language)))
