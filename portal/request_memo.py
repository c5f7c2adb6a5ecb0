"""Answers remembered for the length of one request.

A staff page asks "which centres does this person reach, in which roles?"
a dozen times — once per menu section, again for the listing, the home
page's panels, the MFA check — and each answer was a query. Within one
request the answer does not change (unless the request itself changes a
membership, which forgets everything: see portal/signals.py), so
`RequestMemoMiddleware` opens a memo for the request and `remember` keeps
the first answer. Outside a request (tasks, services called from the
shell, tests calling selectors directly) nothing is kept: every call asks
the database, as before."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

_memo: ContextVar[dict | None] = ContextVar("atrium_request_memo", default=None)


def remember(key: Hashable, compute: Callable[[], T]) -> T:
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def forget() -> None:
    """Drop what this request remembered (after a write that changes it)."""
    memo = _memo.get()
    if memo is not None:
        memo.clear()


class RequestMemoMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _memo.set({})
        try:
            return self.get_response(request)
        finally:
            _memo.reset(token)
