"""Every way into an account goes through allauth.

Wagtail and Django each ship a login form of their own (Wagtail's front-end
``pages/_util/login/`` is Django's plain ``LoginView``; the Wagtail admin has
``admin/login/``; the Django admin ``django-admin/login/``). Each accepts a bare
password: no second factor, no rate limit. portal/urls.py mounts the views
below in front of them, so those addresses only ever send people to allauth's
login, and tests/portal/test_login_paths.py walks the URL conf to keep it so.

Page and document passwords (Wagtail "shared password" privacy) are not a user
login — they open one page for one session — but they are still a secret that
can be guessed, so failed attempts count against allauth's rate limits too.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from allauth.account.utils import get_next_redirect_url
from allauth.core import ratelimit
from django.http import HttpResponseRedirect
from django.urls import reverse


def to_allauth_login(request, *args, **kwargs):
    """GET and POST alike: a posted password is never looked at; only a safe
    `next` (from the query or the form) is carried over to allauth's login."""
    url = reverse("account_login")
    next_url = get_next_redirect_url(request)
    if next_url:
        url += "?" + urlencode({"next": next_url}, safe="/")
    return HttpResponseRedirect(url)


RATE_ACTION = "page_password"  # its rates: ACCOUNT_RATE_LIMITS in settings


def rate_limited_shared_password(view, *, kind: str):
    """Count each failed shared-password attempt (Wagtail answers a wrong
    password with the form again, a right one with a redirect) and answer 429
    once the rate is used up, before the password is even compared."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "POST":
            return view(request, *args, **kwargs)
        key = f"{kind}:{next(iter(kwargs.values()), '')}"
        if not ratelimit.consume(request, action=RATE_ACTION, key=key, dry_run=True):
            return ratelimit.respond_429(request)
        response = view(request, *args, **kwargs)
        if response.status_code != 302:
            ratelimit.consume(request, action=RATE_ACTION, key=key)
        return response

    return wrapper
