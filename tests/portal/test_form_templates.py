"""A form's error is said once: Django's `as_div`/`as_p` print the form's
non-field errors themselves, so a template that prints them too shows a
tenant "密码不正确。" twice (found on the letter's sign form)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("portal", "tenants", "notices", "visits")


def errors_said_twice(text: str) -> list[str]:
    forms = set(re.findall(r"\{\{\s*(\w+)\.non_field_errors\s*\}\}", text))
    shown_whole = r"\{\{\s*(\w+)\.as_(?:div|p|table|ul)\s*\}\}"
    return sorted(forms & set(re.findall(shown_whole, text)))


def test_no_template_prints_a_forms_errors_twice():
    twice = {str(p.relative_to(ROOT)): forms for app in APPS for p in (ROOT / app).rglob("templates/**/*.html")
             if (forms := errors_said_twice(p.read_text()))}
    assert twice == {}


def test_the_rule_sees_it():
    assert errors_said_twice("{{ form.non_field_errors }}\n{{ form.as_div }}") == ["form"]
    assert errors_said_twice("{{ form.non_field_errors }}{% for f in form %}{{ f }}{% endfor %}") == []
