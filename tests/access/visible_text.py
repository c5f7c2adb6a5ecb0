"""What a person reads on a page, and which of it comes from the other
language: the scanner of the one-language test (test_one_language.py).

The visible text is every text node outside <script>, <style>, <template>
and <svg>, plus the attributes a person reads (placeholder, title,
aria-label, alt, the value of a button). Data — what people typed and what
the world's fixtures hold — is taken out before judging: it is in whatever
language its author wrote it in."""

from __future__ import annotations

import re
import zoneinfo
from html.parser import HTMLParser

from django.apps import apps
from django.db import models
from django.utils.html import strip_tags

HIDDEN = {"script", "style", "template", "svg", "noscript", "textarea", "code", "pre"}
SHOWN_ATTRS = {"placeholder", "title", "aria-label", "alt"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0  # inside a hidden element
        self.chunks: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in HIDDEN and tag not in VOID:
            self.depth += 1
        if self.depth:
            return
        attrs = dict(attrs)
        if attrs.get("type") == "hidden":
            return
        self.chunks += [v for k, v in attrs.items() if k in SHOWN_ATTRS and v]
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.chunks.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in HIDDEN and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth and data.strip():
            self.chunks.append(" ".join(data.split()))


def visible_chunks(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return parser.chunks


# --- data ----------------------------------------------------------------------

# Records whose text is the product's words, not data: they must follow the
# reader's language, so they are not taken out.
NOT_DATA = ("wagtailcore.workflow", "wagtailcore.task", "wagtailcore.workflowtask", "wagtailcore.groupapprovaltask")
# Group names and the beat table's task names are records an administrator
# may rename, so they are data too.
DATA_APPS = ("portal", "tenants", "notices", "fire", "visits", "wagtailcore", "wagtaildocs", "wagtailimages",
             "taggit", "wagtailredirects", "account", "auth", "django_celery_beat")


def _strings_in(value) -> list[str]:
    if isinstance(value, str):
        text = strip_tags(value) if "<" in value else value
        return [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings_in(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings_in(v)]
    return []


def data_strings() -> list[str]:
    """Every text a record of the database holds (free text, not choices),
    longest first, so that a long one is taken out before its parts."""
    found: set[str] = set()
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.app_label not in DATA_APPS or label in NOT_DATA or _is_workflow_model(model):
            continue
        fields = [f.attname for f in model._meta.concrete_fields
                  if isinstance(f, models.CharField | models.TextField | models.JSONField)
                  and not f.choices and not f.primary_key]
        fields += [f.attname for f in model._meta.concrete_fields if type(f).__name__ == "StreamField"]
        if not fields:
            continue
        for row in model._default_manager.values_list(*fields):
            for value in row:
                found.update(s for s in _strings_in(value) if len(s) >= 2)
    return sorted(found, key=len, reverse=True)


def _is_workflow_model(model) -> bool:
    from wagtail.models import Task, Workflow

    return issubclass(model, Task | Workflow)


# --- judging -------------------------------------------------------------------

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+")
HAN = re.compile(r"[\u3400-\u9fff]+")
TOKEN = re.compile(r"[A-Za-z0-9_/.@'{}²³\-]+")  # braces: a placeholder such as {year} is not a word
ENGLISH = re.compile(r"[A-Za-z][a-z']+(-[a-z]+)*")
# Full-width punctuation against English text: "hotline：", "Comments（0）".
WIDE_BESIDE_ENGLISH = re.compile(r"[A-Za-z)][：（，]|（[A-Za-z]|[A-Za-z]）")
# Names and abbreviations that stay as they are in Chinese text.
BRANDS = {
    "atrium", "wagtail", "pdf", "xlsx", "csv", "zip", "email", "e-mail", "sms", "qr", "totp", "url", "id", "ip",
    "sha", "pades", "api", "ok", "xls", "png", "jpg", "jpeg", "gif", "webp", "svg", "html", "mfa", "acsi", "utc",
    "docx", "doc", "word", "excel", "ios", "android", "gb", "mb", "kb", "rfc", "tsa", "pkcs", "ca", "iframe",
    "wps", "ai", "b1", "b2", "f1", "f2", "f3", "a4", "gb18030", "utf",
}


def take_out(chunk: str, data: list[str]) -> str:
    """The chunk without the data it shows. A datum is taken out only as a
    whole: the slug "ta" is not taken out of "Wagtail"."""
    for d in data:
        if d in chunk:
            chunk = re.sub(rf"(?<![A-Za-z0-9]){re.escape(d)}(?![A-Za-z0-9])", " ", chunk)
    return chunk


def _words(chunk: str):
    """The English words of a chunk, as (start, end) spans: letters only,
    capitalised or lower case. Identifiers (a time zone, a file name, an
    address, a code) and abbreviations are not words."""
    for m in TOKEN.finditer(chunk):
        token = m.group().rstrip(".,:;!?'")
        if ENGLISH.fullmatch(token) and token.lower() not in BRANDS:
            yield m.start(), m.start() + len(token)
        else:
            yield None


def english_runs(chunk: str) -> list[str]:
    """English words in Chinese text: a run of two or more words, one word
    beside Chinese ("New: 函件"), or a count and a word ("1 pages")."""
    runs, current = [], []
    for span in [*_words(chunk), None]:
        if span and current and not chunk[current[-1][1]:span[0]].strip(" ,:;()"):
            current.append(span)
            continue
        if current:
            runs.append(current)
        current = [span] if span else []
    lone = bool(CJK.search(chunk)) or bool(re.fullmatch(r"\d+\s+[a-z]+", chunk.strip()))
    return [chunk[run[0][0]:run[-1][1]] for run in runs if len(run) >= 2 or lone]


def chinese_runs(chunk: str) -> list[str]:
    """Chinese in English text: any Chinese character, and full-width
    punctuation against English words (between two data it is left alone)."""
    found = [m.group() for m in HAN.finditer(chunk)]
    return found + [m.group() for m in WIDE_BESIDE_ENGLISH.finditer(chunk)]


def data_to_take_out(language: str, allowed: list[str]) -> list[str]:
    """What a page in `language` may show in the other language: the allowed
    strings and the records' texts written in the other language."""
    other = re.compile("[A-Za-z]" if language == "zh-hans" else "[\u3400-\u9fff\uff00-\uffef]")
    return allowed + [d for d in data_strings() + time_zone_names() if other.search(d)]


def time_zone_names() -> list[str]:
    """Time zones are named by their identifiers in every language
    ("Africa/Dar es Salaam" in the beat schedule's choices)."""
    names = zoneinfo.available_timezones()
    return sorted(names | {name.replace("_", " ") for name in names}, key=len, reverse=True)


def judge(chunks: list[str], language: str, data: list[str]) -> list[str]:
    """The strings of the other language in a page's visible chunks, once
    `data` (data_to_take_out) is taken out, each with the chunk it is in."""
    finder = english_runs if language == "zh-hans" else chinese_runs
    found = []
    for chunk in chunks:
        if not finder(chunk):
            continue  # the fast path: most chunks are in the page's language
        found += [f"{run!r} in {chunk[:90]!r}" for run in finder(take_out(chunk, data))]
    return found
