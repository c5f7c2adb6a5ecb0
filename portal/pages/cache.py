"""Public pages served from a shared cache.

An anonymous GET of a published public page (or of the landing page) is
rendered once and then answered from the `pages` cache (Redis in production,
files under var/cache/pages on the embedded default, so that a page published
by the Celery worker purges what the web process serves) without a single SQL
query. Only responses the view marks with `mark_public` are stored; everything
a signed-in user or a restricted page gets is `Cache-Control: private`.

Purging is by generation: every key carries the current generation, and any
change to published content (publish, unpublish, move, delete, privacy, a
centre, a handbook edition) starts a new one. Everything goes at once on
purpose: a notice also shows on its bulletin, its centre's home page and the
search, the hotline on every page of the centre. Publishing is rare; a
wrong, stale page is not.

The key also holds the language (Chinese and English copies never mix), the
host, the full path with its query and today's date (the fee schedule in force
changes at midnight without anyone publishing)."""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
    set_response_etag,
)
from django.utils.http import http_date
from django.utils.translation import get_language

PAGE_CACHE = "pages"
GENERATION_KEY = "atrium:pages:generation"
# Headers the cached copy keeps; cookies are never stored (a response that
# sets one is not stored at all).
_KEPT_HEADERS = ("Content-Type", "Content-Language", "Vary", "Cache-Control", "ETag", "Last-Modified", "X-Frame-Options")


def _cache():
    return caches[PAGE_CACHE]


def pages_purge() -> None:
    """Make every cached page unreachable, now and again when the transaction
    commits: a request rendered between the change and its commit would
    otherwise store the old content under the new generation."""
    _new_generation()
    transaction.on_commit(_new_generation)


def _new_generation() -> None:
    _cache().set(GENERATION_KEY, uuid.uuid4().hex, None)


def _generation(cache) -> str:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
        generation = cache.get(GENERATION_KEY, "")
    return generation


def mark_public(response) -> None:
    """Called by a view for an anonymous reader of content anyone may read:
    shared caches may keep it, and so does this one."""
    patch_cache_control(response, public=True, max_age=settings.ATRIUM_PUBLIC_PAGE_MAX_AGE)
    # A shared cache must not give this copy to someone signed in (Cookie),
    # nor the Chinese copy to an English reader (the language comes from the
    # django_language cookie or Accept-Language). Stored with the response, so
    # a hit says it too, though nothing touches the session then.
    patch_vary_headers(response, ("Cookie", "Accept-Language"))
    response.atrium_public = True


def mark_private(response) -> None:
    if "no-store" not in response.get("Cache-Control", ""):
        patch_cache_control(response, private=True)


def page_lifetime() -> int:
    """Seconds the server keeps a page: ATRIUM_PAGE_CACHE_SECONDS — but with
    media on S3 behind signed links (portal/settings/storage.py), never longer
    than those links live, less what a browser may still keep the page
    (max-age) and a minute to load its images: a notice's picture must not
    turn into an expired link because its page came from the cache."""
    lifetime = settings.ATRIUM_PAGE_CACHE_SECONDS
    if getattr(settings, "AWS_STORAGE_BUCKET_NAME", "") and getattr(settings, "AWS_QUERYSTRING_AUTH", False):
        links = settings.AWS_QUERYSTRING_EXPIRE - settings.ATRIUM_PUBLIC_PAGE_MAX_AGE - 60
        lifetime = min(lifetime, links)
    return lifetime


def _may_use_cache(request) -> bool:
    # No session, no pending messages: nothing that could make this reader's
    # page differ from anyone else's. Decided from the cookies alone, so that a
    # hit costs no query (reading request.user would load the session).
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
    )


def _key(request, generation: str) -> str:
    parts = (generation, get_language(), timezone.localdate().isoformat(), request.get_host(), request.get_full_path())
    return "atrium:page:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _freeze(response) -> tuple:
    headers = {name: response[name] for name in _KEPT_HEADERS if name in response}
    return response.status_code, response.content, headers


def _thaw(frozen: tuple) -> HttpResponse:
    status, content, headers = frozen
    return HttpResponse(content, status=status, headers=headers)


def _storable(request, response) -> bool:
    return (
        getattr(response, "atrium_public", False)
        and request.method == "GET"
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
    )


class PublicPageCacheMiddleware:
    """Placed after LocaleMiddleware (the language is known) and before
    CsrfViewMiddleware (whatever sets a cookie has run when the response comes
    back here). Also stamps `private` on anything a signed-in user gets that
    says nothing about caching."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _may_use_cache(request):
            return self._private_for_users(request, self.get_response(request))
        cache = _cache()
        generation = _generation(cache)
        key = _key(request, generation)
        frozen = cache.get(key)
        if frozen is not None:
            response = _thaw(frozen)
            return get_conditional_response(
                request, etag=response.get("ETag"), last_modified=None, response=response
            )
        response = self.get_response(request)
        if _storable(request, response):
            set_response_etag(response)
            response["Last-Modified"] = http_date()
            lifetime = page_lifetime()
            if lifetime > 0:
                cache.set(key, _freeze(response), lifetime)
        return self._private_for_users(request, response)

    @staticmethod
    def _private_for_users(request, response):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            patch_cache_control(response, private=True)
        return response


def public_pages_from_cache(callback):
    """An `on_serve_page` hook, outermost: a public page read anonymously is
    marked for the cache; a restricted page, or any page a signed-in user
    reads, is private (it may hold their alerts, their handbook state)."""

    def inner(page, request, serve_args, serve_kwargs):
        response = callback(page, request, serve_args, serve_kwargs)
        if request.user.is_authenticated or page.get_view_restrictions():
            mark_private(response)
        elif response.status_code == 200:
            mark_public(response)
        return response

    return inner
