"""Reading one cell of an imported sheet: text, choices by value or label,
the words for yes and no, the ways people write dates and unit lists."""

from __future__ import annotations

import re

from django.utils import translation


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def choice_map(choices) -> dict[str, str]:
    """Accept a choice by its value or by its label in Chinese or English."""
    mapping = {}
    for value, label in choices.choices:
        mapping[str(value).lower()] = value
        for lang in ("en", "zh-hans"):
            with translation.override(lang):
                mapping[str(label).lower()] = value
    return mapping


TRUE_WORDS = {"1", "y", "yes", "true", "是", "可", "√", "✓", "x"}


FALSE_WORDS = {"", "0", "n", "no", "false", "否", "不可"}


DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d")


UNIT_SPLIT = re.compile(r"[,，、;；\s]+")
