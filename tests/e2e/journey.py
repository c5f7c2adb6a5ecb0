"""A role's main job clicked through in a browser, and every page it visits
looked at on a desktop (1366×900) and on a phone (390×844).

Each person of a journey has two browser contexts, one per viewport, signed
in once (the second takes the first's cookies). The person acts in one of
them (a tenant on the phone, staff on the desktop); at each step the page
they are on is opened in the other one too. Both are photographed to
var/screenshots/<journey>/<nn>-<step>-<viewport>.png and judged:

- nothing scrolls sideways (the page is no wider than the screen);
- no string of the other language (the scanner of the one-language test,
  tests/access/visible_text.py: what records hold is data, taken out);
- no console error and no uncaught exception in the page.

What is found is collected and reported together when the journey ends, so
one run lists every problem of every page instead of stopping at the first.

    def test_it(journey):
        j = journey("letter-chain")
        drafter = j.person("drafter@a.test")
        drafter.goto("/admin/", "home")
        ...                               # act on drafter.page
        drafter.look("submitted")         # the page it led to, both viewports
        j.finish()
"""

from __future__ import annotations

import shutil
from pathlib import Path

from django.conf import settings
from wagtail.users.models import UserProfile

from portal.models import User
from tests.access.test_one_language import ALLOWED
from tests.access.visible_text import data_to_take_out, judge, visible_chunks
from tests.base import PASSWORD

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
BROWSER_LOCALE = {"zh-hans": "zh-CN", "en": "en-US"}

# The elements sticking out past the right edge, named for the report.
OVERFLOWING = """() => {
  const w = innerWidth, out = [];
  for (const e of document.querySelectorAll('body *')) {
    const r = e.getBoundingClientRect();
    if (r.right > w + 1 && r.width > 0 && getComputedStyle(e).position !== 'fixed') {
      const name = e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
        + (e.classList.length ? '.' + [...e.classList].join('.') : '');
      out.push(`${name} (${Math.round(r.right)}px)`);
    }
  }
  return out.slice(0, 4);
}"""


# The page as shown: elements not displayed (a closed date picker's "Save
# Selected", a collapsed menu) are left out, as a reader never sees them;
# what the server renders hidden is judged by the one-language test.
SHOWN_HTML = """() => {
  const hidden = [...document.body.querySelectorAll('*')].filter(e => getComputedStyle(e).display === 'none');
  hidden.forEach(e => e.setAttribute('data-journey-hidden', ''));
  const copy = document.documentElement.cloneNode(true);
  hidden.forEach(e => e.removeAttribute('data-journey-hidden'));
  copy.querySelectorAll('[data-journey-hidden]').forEach(e => e.remove());
  return copy.outerHTML;
}"""


class View:
    """One person's page at one viewport, its console watched."""

    def __init__(self, browser, name: str, language: str, base_url: str):
        phone = name == "phone"
        self.name = name
        self.context = browser.new_context(viewport=VIEWPORTS[name], locale=BROWSER_LOCALE[language],
                                           is_mobile=phone, has_touch=phone)
        self.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base_url}])
        self.page = self.context.new_page()
        self.page.set_default_timeout(15000)
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"uncaught {exc} on {self.page.url}"))

    def _console(self, msg):
        if msg.type == "error":
            where = msg.location.get("url") or self.page.url
            self.errors.append(f"console: {msg.text} ({where})")


class Person:
    """Someone in a journey: acts on `page` (their own viewport's) and has
    each step looked at in both viewports."""

    def __init__(self, journey: Journey, email: str | None, acts_on: str):
        self.journey = journey
        self.views = {name: View(journey.browser, name, journey.language, journey.base_url) for name in VIEWPORTS}
        self.main = self.views[acts_on]
        self.page = self.main.page
        if email:
            self._sign_in(email)

    def _sign_in(self, email: str) -> None:
        user = User.objects.get(email=email)
        profile = UserProfile.get_for_user(user)  # the admin reads its language from here
        profile.preferred_language = self.journey.language
        profile.save()
        self.page.goto(self.journey.base_url + "/accounts/login/")
        self.page.fill("input[name=login]", email)
        self.page.fill("input[name=password]", PASSWORD)
        with self.page.expect_navigation():
            self.page.locator("#main form button[type=submit]").first.click()
        for view in self.views.values():
            if view is not self.main:
                view.context.add_cookies(self.main.context.cookies())

    def goto(self, path: str, step: str):
        """Open `path` where this person acts, then look at it."""
        response = self.page.goto(self.journey.base_url + path)
        self.look(step)
        return response

    def look(self, step: str, *, only_here: bool = False) -> None:
        """The page this person is on, judged and photographed; then the same
        address in the other viewport (unless `only_here`: a page with what
        they typed, which opening it again would not show)."""
        name = self.journey.next_step(step)
        self.journey.judge(self.main, name)
        if only_here:
            return
        url = self.page.url
        for view in self.views.values():
            if view is not self.main:
                response = view.page.goto(url)
                if response is not None and response.status >= 400:
                    self.journey.problems.append(f"{name}-{view.name}: {url} answered {response.status}")
                self.journey.judge(view, name)

    def close(self) -> None:
        for view in self.views.values():
            self.journey.problems += view.errors
            view.context.close()


class Journey:
    def __init__(self, browser, base_url: str, name: str, language: str = "zh-hans"):
        self.browser = browser
        self.base_url = base_url
        self.language = language
        self.folder = SHOTS / name
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.people: list[Person] = []
        self.problems: list[str] = []
        self.steps = 0

    def person(self, email: str | None, *, acts_on: str = "desktop") -> Person:
        """Someone signed in as `email` (None: not signed in)."""
        person = Person(self, email, acts_on)
        self.people.append(person)
        return person

    def next_step(self, step: str) -> str:
        self.steps += 1
        return f"{self.steps:02d}-{step}"

    def judge(self, view: View, name: str) -> None:
        page = view.page
        page.wait_for_load_state("load")
        page.evaluate("document.fonts.ready.then(() => true)")
        where = f"{name}-{view.name} ({page.url.removeprefix(self.base_url)})"
        width, inner = page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
        if width > inner:
            self.problems.append(f"{where}: scrolls sideways, {width}px > {inner}px: {page.evaluate(OVERFLOWING)}")
        data = data_to_take_out(self.language, ALLOWED[self.language])
        self.problems += [f"{where}: {found}" for found in judge(visible_chunks(page.evaluate(SHOWN_HTML)), self.language, data)]
        page.screenshot(path=self.folder / f"{name}-{view.name}.png", full_page=True)

    def finish(self) -> None:
        """Every problem of every page, at once."""
        for person in self.people:
            person.close()
        self.people = []
        assert not self.problems, f"{len(self.problems)} problem(s):\n" + "\n".join(self.problems)

    def close(self) -> None:
        for person in self.people:
            person.close()
