"""Punctuation in the reader's language: a full-width colon and brackets
after Chinese, ": " and " (…)" after English (a full-width colon after
English text reads as a mistake)."""

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language

register = template.Library()


def _chinese() -> bool:
    return (get_language() or "zh-hans").startswith("zh")


@register.simple_tag
def colon() -> str:
    return "：" if _chinese() else ": "


@register.filter
def paren(value) -> str:
    """`{{ count|paren }}`: "（3）" in Chinese, " (3)" in English."""
    return format_html("（{}）", value) if _chinese() else format_html(" ({})", value)


@register.simple_tag
def lparen() -> str:
    return "（" if _chinese() else " ("


@register.simple_tag
def rparen() -> str:
    return "）" if _chinese() else ")"
