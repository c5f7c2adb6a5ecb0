"""The caches and how long each keeps what it holds. Star-imported by base.py,
which calls cache_settings() with its REDIS_URL and VAR_DIR."""

from pathlib import Path

from .env import env_int

__all__ = ["cache_settings", "ATRIUM_PAGE_CACHE_SECONDS", "ATRIUM_PUBLIC_PAGE_MAX_AGE",
           "ATRIUM_DASHBOARD_CACHE_SECONDS"]


def cache_settings(redis_url: str, var_dir: Path) -> dict:
    """`default` holds rate limits, sign-code attempts and per-process
    figures. `pages` holds public pages read anonymously
    (portal/pages/cache.py): it must be shared by every web process and the
    worker (a scheduled publish purges it), so Redis in production, files on
    the embedded default."""
    if redis_url:
        return {
            "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url},
            "pages": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url,
                      "KEY_PREFIX": "pages"},
        }
    return {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "pages": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(var_dir / "cache" / "pages"),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        },
    }


# Server side, a cached page lives until purged or for this long; browsers
# and shared caches downstream (which nothing purges) keep it for max-age.
ATRIUM_PAGE_CACHE_SECONDS = env_int("ATRIUM_PAGE_CACHE_SECONDS", 3600)
ATRIUM_PUBLIC_PAGE_MAX_AGE = env_int("ATRIUM_PUBLIC_PAGE_MAX_AGE", 60)
# How long the managers' dashboard keeps its figures before computing them
# again (seconds; 0 computes on every view). Exports always compute afresh.
ATRIUM_DASHBOARD_CACHE_SECONDS = env_int("ATRIUM_DASHBOARD_CACHE_SECONDS", 300)
