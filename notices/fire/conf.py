"""Settings of the fire-safety cycle, with their defaults (override in settings)."""

from django.conf import settings


def rectify_days() -> int:
    """Default days a tenant has to rectify failed items (the inspector may choose another date)."""
    return int(getattr(settings, "ATRIUM_FIRE_RECTIFY_DAYS", 7))


def notice_sign_days() -> int:
    """Days tenants have to sign for the monthly inspection notice."""
    return int(getattr(settings, "ATRIUM_FIRE_NOTICE_SIGN_DAYS", 5))
