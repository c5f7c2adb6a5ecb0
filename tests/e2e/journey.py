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

# What sticks out past the right edge, named for the report: the page
# scrolls sideways, or (Wagtail's content area clips sideways) is cut off.
# Not counted: what scrolls inside its own container (a wide table in an
# overflow-x:auto box), fixed or invisible elements, and Wagtail's side panels and
# minimap, which wait closed beyond the right edge until opened.
OVERFLOWING = """() => {
  const w = innerWidth, out = [];
  const scrollsInside = e => {
    for (let p = e.parentElement; p; p = p.parentElement) {
      if (['auto', 'scroll'].includes(getComputedStyle(p).overflowX)) return true;
    }
    return false;
  };
  for (const e of document.querySelectorAll('body *')) {
    const r = e.getBoundingClientRect();
    if (r.right <= w + 1 || r.width === 0 || e.closest('.form-side, .w-minimap')) continue;
    const style = getComputedStyle(e);
    if (style.position === 'fixed' || style.visibility === 'hidden' || scrollsInside(e)) continue;
    const name = e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
      + (e.classList.length ? '.' + [...e.classList].join('.') : '');
    out.push(`${name} (${Math.round(r.right)}px)`);
    if (out.length === 4) break;
  }
  return out;
}"""
# How tall the page is with what scrolls inside Wagtail's content area.
FULL_HEIGHT = """() => Math.max(document.scrollingElement.scrollHeight, ...[...document.querySelectorAll('main, .content-wrapper')]
  .map(e => innerHeight + e.scrollHeight - e.clientHeight))"""

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
        self.page.set_default_timeout(30000)  # a loaded CI machine, a PDF stamped in the request
        self.errors: list[tuple[str, str]] = []
        self.page.on("console", self._console)
        self.page.on("response", self._response)
        self.autosave_refusals: set[str] = set()
        self.page.on("pageerror", lambda exc: self.errors.append((f"uncaught {exc}", self.page.url)))

    def _console(self, msg):
        if msg.type == "error":
            self.errors.append((msg.text, msg.location.get("url") or self.page.url))

    def _response(self, response):
        # Wagtail's autosave posts the form as it is being typed and is told
        # 400 (JSON "validation_error") while it is incomplete; chromium logs
        # each as a failed load. Its protocol, not an error a person meets.
        request = response.request
        if response.status == 400 and request.method == "POST" and request.headers.get("accept") == "application/json":
            self.autosave_refusals.add(response.url)

    def problems(self) -> list[str]:
        return [f"console ({self.name}): {text} ({url})" for text, url in self.errors
                if not (url in self.autosave_refusals and "status of 400" in text)]


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
                # Only looked at: an edit form left open there would autosave
                # beside the person's own clicks (a second revision, a
                # workflow action on a stale state).
                view.page.goto("about:blank")

    def submit_for_review(self, filled: str) -> None:
        """In a Wagtail editor the person has filled: the form looked at as
        `filled`, then "Submit for review" from the footer's action menu, and
        the page it leads to looked at as "submitted"."""
        self.page.wait_for_timeout(300)  # Draftail writes its hidden input on the next tick
        self.look(filled, only_here=True)
        self.page.locator("footer .w-dropdown__toggle").first.click()
        with self.page.expect_navigation():
            self.page.locator("button[name=action-submit]").click()
        self.look("submitted")

    def close(self) -> None:
        for view in self.views.values():
            self.journey.problems += view.problems()
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
        sticking_out = page.evaluate(OVERFLOWING)
        if width > inner or sticking_out:
            self.problems.append(f"{where}: wider than the screen ({width}px, {inner}px wide): {sticking_out}")
        data = data_to_take_out(self.language, ALLOWED[self.language])
        self.problems += [f"{where}: {found}" for found in judge(visible_chunks(page.evaluate(SHOWN_HTML)), self.language, data)]
        # Wagtail's admin scrolls inside its content area, which a full-page
        # screenshot does not unroll: the window is made as tall for the shot.
        size = page.viewport_size
        page.set_viewport_size({"width": size["width"], "height": min(page.evaluate(FULL_HEIGHT), 8000)})
        page.screenshot(path=self.folder / f"{name}-{view.name}.png", full_page=True)
        page.set_viewport_size(size)

    def finish(self) -> None:
        """Every problem of every page, at once."""
        for person in self.people:
            person.close()
        self.people = []
        assert not self.problems, f"{len(self.problems)} problem(s):\n" + "\n".join(self.problems)

    def close(self) -> None:
        for person in self.people:
            person.close()
