"""A long hash (SHA-256) shown short, first 8 … last 8, with the full value a
tap away and a copy button: 64 characters would dominate a phone screen."""

from django import template

register = template.Library()


@register.inclusion_tag("portal/includes/hash.html")
def short_hash(value: str, testid: str = "hash"):
    value = value or ""
    short = f"{value[:8]}…{value[-8:]}" if len(value) > 20 else value
    return {"value": value, "short": short, "testid": testid}
