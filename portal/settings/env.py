"""Reading settings from the environment, loudly.

A deployment that forgets a variable, or sets it to nonsense, must stop at
start-up with a message naming the variable — not run half-configured and fail
later on a tenant's request.
"""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str:
    value = os.environ.get(name)
    if value is None or (required and not value.strip()):
        if required:
            raise ImproperlyConfigured(f"Environment variable {name} is required but not set.")
        return default if default is not None else ""
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"Environment variable {name} must be a boolean (1/0, true/false), got {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"Environment variable {name} must be an integer, got {value!r}.") from None


def env_minutes(name: str, default: float) -> float:
    """A duration in minutes, more than zero. Fractions are allowed ("0.1" is
    six seconds), so that the fault tests can run a worker whose thresholds
    pass in seconds; operators write whole minutes."""
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        minutes = float(value)
    except ValueError:
        minutes = -1.0
    if not minutes > 0:
        raise ImproperlyConfigured(f"Environment variable {name} must be a number of minutes above 0, got {value!r}.")
    return minutes


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_database(name: str, default: str) -> dict:
    import dj_database_url

    url = env_str(name, default)
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except Exception as exc:  # noqa: BLE001 - any parse error is a configuration error
        raise ImproperlyConfigured(f"Environment variable {name} is not a valid database URL: {exc}") from None
    if config.get("ENGINE") not in ("django.db.backends.sqlite3", "django.db.backends.postgresql"):
        raise ImproperlyConfigured(
            f"Environment variable {name} must point at SQLite or PostgreSQL, got engine {config.get('ENGINE')!r}."
        )
    return config


def env_url(name: str, default: str, *, schemes: tuple[str, ...]) -> str:
    value = env_str(name, default)
    scheme = value.split("://", 1)[0] if "://" in value else ""
    if scheme not in schemes:
        raise ImproperlyConfigured(
            f"Environment variable {name} must be a URL with one of the schemes {', '.join(schemes)}, got {value!r}."
        )
    return value


def env_clock(name: str, default: str) -> tuple[int, int]:
    """A local time of day written "HH:MM"."""
    value = env_str(name, default).strip()
    hours, _, minutes = value.partition(":")
    if hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60:
        return int(hours), int(minutes)
    raise ImproperlyConfigured(f"Environment variable {name} must be a time of day HH:MM, got {value!r}.")


def env_optional_url(name: str, *, schemes: tuple[str, ...]) -> str:
    """A URL that may be left unset (the feature is then off), but if set must
    have one of `schemes`."""
    value = env_str(name, "").strip()
    return env_url(name, value, schemes=schemes) if value else ""
