"""The generated access test: every URL of the project, as every role.

What it does
------------
It walks every URL pattern the resolver knows (the project's own views,
allauth, the Wagtail admin with every snippet viewset and chooser, Wagtail's
documents, images and admin API, the Django admin), fills each pattern's
kwargs with real records of a world (`world.py`) built for centre A (tenants
X and Y) and centre B, and requests it as each of fifteen people. Every
record carries its owner's marker in its text (ZZA- centre A, ZZX- tenant X,
ZZY- tenant Y, ZZB- centre B). A role fails the test when

* any response is a 5xx (or the view raises);
* a 2xx response shows a marker the role may not see (ALLOWED_MARKERS) —
  judged by content: HTML, JSON, CSV, the text inside XLSX/ZIP and PDFs;
* a 2xx response is a file (download, picture, PDF, sheet) of a record whose
  owner the role may not see (the bytes of a picture carry no marker).

`test_state_changing_posts_by_the_wrong_person` (in test_wrong_person_posts.py)
POSTs each state-changing endpoint of the project as the wrong people and
checks they are refused and that no row changed.

How to cover a new URL
----------------------
A pattern whose kwargs the test cannot fill fails `test_every_pattern_can_be_filled`
with the pattern's name. Add it to `fills.py`:

* a snippet viewset or Django-admin model: add its model to `MODEL_KEYS`
  (the world key of its record) — every view of the viewset is then filled;
* anything else: an `EXPLICIT` entry, name -> function(objs) returning the
  kwargs (a dict), several (a list) or a ready path (regex patterns);
* a new kind of record: create it in `world.py` for variants A, Y and B, with
  the owner's marker in a text field, and add its key to `TENANT_KEYS` when it
  belongs to a tenant.

A new view of the project itself also fails `test_every_project_view_is_declared`
until it is listed in test_wrong_person_posts.py: in `POST_CASES` (who must be
refused, and with what data) or in `READ_ONLY` (why a POST changes nothing).

A page that anyone may see (a published public notice) goes in `PUBLIC`.
A leak or error that another branch is fixing goes in `KNOWN_GAPS` (the test
fails when it stops reproducing, so the list can only shrink).
"""

from __future__ import annotations

import logging
import time

import pytest
from django.core.signals import got_request_exception
from django.test import Client

from .fills import TENANT_KEYS, NoFill, fill
from .walk import is_file, markers_in, untitled, walk_patterns
from .world import MARKERS

STAFF_A = ("ops_a", "drafter_a", "leader_a", "seal_a", "editor_a", "reviewer_a", "web_a", "archivist_a")
EVERYTHING = set(MARKERS)
ALLOWED_MARKERS = {
    **{role: {"ZZA-", "ZZX-", "ZZY-"} for role in STAFF_A},
    "ops_b": {"ZZB-"},
    "manager": EVERYTHING,
    "superuser": EVERYTHING,
    "signer_a": {"ZZA-", "ZZX-"},
    "nonsigner_a": {"ZZA-", "ZZX-"},
    "signer_a2": {"ZZA-", "ZZY-"},
    "signer_b": {"ZZB-"},
    "anonymous": set(),
}
# Which variants of the world each role requests: its own records (so that a
# rightful user meets no error) and the records of the nearest "other".
VARIANTS_FOR = {
    "ops_a": ("A", "B"), "drafter_a": ("B",), "leader_a": ("B",), "seal_a": ("B",), "editor_a": ("B",),
    "reviewer_a": ("B",), "web_a": ("B",), "archivist_a": ("B",), "ops_b": ("A",), "manager": ("A",), "superuser": ("B",),
    "signer_a": ("A", "Y"), "nonsigner_a": ("Y",), "signer_a2": ("A",), "signer_b": ("A",), "anonymous": ("A",),
}
ROLES = tuple(ALLOWED_MARKERS)
OWNER_MARKER = {"A": "ZZX-", "Y": "ZZY-", "B": "ZZB-"}
CENTRE_MARKER = {"A": "ZZA-", "Y": "ZZA-", "B": "ZZB-"}

# Pages anyone may see: the markers of the centre whose public page it is.
PUBLIC = {
    "wagtail_serve": {"ZZA-", "ZZB-"},  # the public notice and the centre's home page are public
    "notices:verify": set(),
    "portal:landing": {"ZZA-", "ZZB-"},  # the list of centres and their hotlines, for visitors
    # The feedback board is public: the centre's name. The world's post is
    # hidden by staff, so only its tenant and the centre's staff see it.
    "feedback:index": {"ZZA-", "ZZB-"},
    "feedback:board": {"ZZA-", "ZZB-"},
    "feedback:new": {"ZZA-", "ZZB-"},
    "feedback:post": {"ZZA-", "ZZB-"},
    # The token from the invitation email is the credential: whoever holds
    # it sees the invitation it names (tested in tests/portal/test_invitations.py).
    "portal:invitation_accept": EVERYTHING,
    # Likewise the survey's signed link for a shop without an account: it
    # shows that shop's survey to whoever holds it (tests/visits/test_survey_links.py).
    "visits:survey_link": EVERYTHING,
}

# Patterns never requested: what they do cannot be undone within the test
# client's session, or they are not pages.
NOT_REQUESTED = {
    "account_logout": "logs the role out (covered by allauth's own tests)",
    "wagtailadmin_logout": "logs the role out",
    "admin:logout": "logs the role out",
    "set_language": "POST-only language switch, no record",
    # /health/ and /metrics are walked (public by design; /metrics answers
    # only 127.0.0.1, which is the test client). This one waits for a Celery
    # worker that the walk does not start: tests/operations/test_health.py.
    "health_workers": "pings Celery workers (503 without one): tests/operations/test_health.py",
}

# Known leaks and errors being fixed on other branches. Pattern -> (reason,
# roles it reproduces for). Each entry must still reproduce for each role
# listed (else the test fails: delete the entry).
STAFF_AB = (*STAFF_A, "ops_b")
_CHOOSER = "chooser's chosen-multiple view returns any centre's records by id"
_FIXING_SCOPE = "fixed on branch `scoping` (centre scoping of the admin, issue 11)"
KNOWN_GAPS: dict[str, tuple[str, tuple[str, ...]]] = {}


def owner_markers(keys: set[str], variant: str) -> set[str]:
    return {OWNER_MARKER[variant] if k in TENANT_KEYS else CENTRE_MARKER[variant] for k in keys}


class ErrorCatcher:
    """The exception behind a 500, for the report. The client does not
    re-raise it: a view's exception must not end the walk (nor, on SQLite,
    leave the connection closed for the next request)."""

    def __init__(self):
        self.last = None

    def __call__(self, sender, request=None, **kwargs):
        import sys

        exc = sys.exc_info()[1]
        self.last = f"{type(exc).__name__}: {str(exc)[:160]}" if exc else "error"


def _check(client, role, pattern, path, owners, problems):
    client.errors.last = None
    response = client.get(path)
    status = response.status_code
    if status >= 500:
        problems.append((pattern.name, f"GET {path} as {role}: {status} {client.errors.last or ''}"))
        return 1
    if not 200 <= status < 300:
        return 1
    allowed = ALLOWED_MARKERS[role] | PUBLIC.get(pattern.name, set())
    forbidden = [m for m in MARKERS if m not in allowed]
    found = markers_in(response, forbidden)
    if untitled(response):
        problems.append((pattern.name, f"GET {path} as {role}: {status} has no title in the browser tab"))
    if found:
        problems.append((pattern.name, f"GET {path} as {role}: {status} shows {', '.join(found)}"))
    elif is_file(response) and owners - allowed and pattern.name not in PUBLIC:
        problems.append((pattern.name, f"GET {path} as {role}: {status} serves a file of {', '.join(sorted(owners - allowed))}"))
    return 1


TALLY: dict[str, int] = {}


@pytest.fixture(scope="module", autouse=True)
def _print_tally():
    yield
    if TALLY:
        print(f"\naccess walk: {sum(TALLY.values())} requests (URL x role) for {len(TALLY)} roles")  # noqa: T201
        TALLY.clear()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_url_as_every_role(access_world, role, caplog):
    caplog.set_level(logging.CRITICAL, logger="django.request")  # the 500s are reported below, once
    started = time.monotonic()
    user = access_world.people[role]
    client = Client(raise_request_exception=False)
    client.errors = ErrorCatcher()
    got_request_exception.connect(client.errors)
    if user is not None:
        client.force_login(user)
    problems: list[tuple[str, str]] = []
    requests, seen = 0, set()
    patterns = [p for p in walk_patterns() if p.name not in NOT_REQUESTED]
    for variant in VARIANTS_FOR[role]:
        objs = access_world.objects(variant)
        for pattern in patterns:
            try:
                paths, keys = fill(pattern, objs)
            except NoFill:
                continue  # reported by test_every_pattern_can_be_filled
            owners = owner_markers(keys, variant)
            for path in paths:
                if path not in seen:  # a pattern without records is the same page in every variant
                    seen.add(path)
                    requests += _check(client, role, pattern, path, owners, problems)
    got_request_exception.disconnect(client.errors)
    TALLY[role] = requests
    print(f"\n{role}: {requests} requests over {len(patterns)} URL patterns in {time.monotonic() - started:.1f}s")  # noqa: T201
    _report(role, problems)


def _report(role, problems):
    unexpected = [text for name, text in problems if not (name in KNOWN_GAPS and role in KNOWN_GAPS[name][1])]
    reproduced = {name for name, _ in problems}
    stale = [f"KNOWN_GAPS[{name!r}] ({reason}) no longer reproduces for {role}: delete it from the list"
             for name, (reason, roles) in KNOWN_GAPS.items() if role in roles and name not in reproduced]
    assert not (unexpected or stale), "\n".join(
        [f"{len(unexpected)} access problem(s) for {role}:"] + unexpected + stale)


def test_every_pattern_can_be_filled(access_world):
    missing = []
    for pattern in walk_patterns():
        if pattern.name in NOT_REQUESTED:
            continue
        for variant in ("A", "Y", "B"):
            try:
                fill(pattern, access_world.objects(variant))
            except NoFill:
                missing.append(f"{pattern.name}  ({pattern.route}; kwargs {', '.join(pattern.kwargs)})")
                break
            except Exception as exc:  # noqa: BLE001
                missing.append(f"{pattern.name}: the fill fails with {type(exc).__name__}: {exc}")
                break
    assert not missing, (
        "These URL patterns cannot be filled by the access test. Add each to tests/access/fills.py "
        "(MODEL_KEYS for a snippet/admin model, else EXPLICIT), see the docstring of test_url_access.py:\n"
        + "\n".join(missing))
