"""The public's posts are limited without a captcha: per address and per
session, by allauth's cache-based counter (the rates are in
ACCOUNT_RATE_LIMITS["feedback_public_post"])."""

from __future__ import annotations

from allauth.core import ratelimit

ACTION = "feedback_public_post"


def _session_key(request) -> str:
    if not request.session.session_key:
        request.session.save()
    return request.session.session_key


def may_post(request) -> bool:
    return ratelimit.consume(request, action=ACTION, key=_session_key(request), dry_run=True)


def count_post(request) -> None:
    ratelimit.consume(request, action=ACTION, key=_session_key(request))
