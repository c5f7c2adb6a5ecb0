"""Reduce letter body HTML to a small, inert subset, and say what it would lose.

The sanitiser is ``nh3`` (Ammonia): the input is parsed the way a browser
parses it (html5ever, the HTML5 algorithm), so unclosed or misnested markup is
repaired as a browser would repair it, never by guessing. Then:

* Only the tags in :data:`ALLOWED_TAGS` survive; every other tag (``div``,
  ``span``, ``font`` from pasted Word HTML, links) is unwrapped — its text is
  kept, the tag is not.
* No attributes except integer ``colspan``/``rowspan`` (1–50) on table cells:
  no ``style`` (CSS ``url()`` fetches), no ``src``/``href``, no event handlers.
* The elements in :data:`DROP_WITH_CONTENT` go with everything inside them:
  their content is code, metadata, a form control or an embedded document, not
  letter text. Comments, doctypes and CDATA are discarded; text is escaped.

Dropping is silent only for what a reader never sees (:data:`INVISIBLE`, e.g.
``script``). When the body has visible text inside a dropped element — an
``<svg>`` with words in it, or an unclosed ``<textarea>`` that turns the rest
of the letter into a text box — :func:`text_losses` names the element and the
text, and the letter form refuses the body with that message, before the
drafter submits. The PDF renderer still uses a fetcher that refuses anything
but our own assets (defence in depth).
"""

from __future__ import annotations

import difflib
import io
import logging
import re
from dataclasses import dataclass

import nh3
import tinyhtml5

logger = logging.getLogger(__name__)

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "strong", "b", "em", "i", "u", "ol", "ul", "li", "h3", "h4",
        "table", "thead", "tbody", "tr", "th", "td", "blockquote",
    }
)  # fmt: skip
CELL_ATTRS = frozenset({"colspan", "rowspan"})
MAX_SPAN = 50

# Elements whose content no reader ever sees as text: dropping them loses nothing.
INVISIBLE = frozenset(
    {"script", "style", "template", "head", "title", "iframe", "noscript", "noembed", "noframes"}
)
# Dropped together with everything inside them.
DROP_WITH_CONTENT = INVISIBLE | frozenset(
    {
        "frame", "frameset", "object", "embed", "applet", "svg", "math", "textarea",
        "select", "option", "button", "canvas", "audio", "video", "xml",
    }
)  # fmt: skip


def _cell_span(tag: str, attribute: str, value: str) -> str | None:
    # nh3 only offers colspan/rowspan on td/th (see `attributes` below).
    value = value.strip()
    if not value.isdigit():
        return None
    return str(max(1, min(int(value), MAX_SPAN)))


def _clean(html: str) -> str:
    return nh3.clean(
        html or "",
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROP_WITH_CONTENT),
        attributes={"td": set(CELL_ATTRS), "th": set(CELL_ATTRS)},
        attribute_filter=_cell_span,
        strip_comments=True,
        link_rel=None,
    )


def visible_text(html: str) -> str:
    """The text a reader is shown for `html`, whitespace collapsed.

    Parsed by tinyhtml5, the HTML5 parser WeasyPrint itself reads the letter
    with (nh3 cannot serve here: Ammonia drops SVG/MathML children whole)."""
    parts: list[str] = []

    def walk(element) -> None:
        local_name = element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""
        if isinstance(element.tag, str) and local_name not in INVISIBLE:
            parts.append(element.text or "")
            for child in element:
                walk(child)
        parts.append(element.tail or "")  # text after the element belongs to its parent

    # A file object, never a str: tinyhtml5 reads a short str that names an
    # existing file as that file (a body of "/etc/passwd" would be read).
    root = tinyhtml5.parse(io.StringIO(html or ""))
    for child in root:
        walk(child)
    return " ".join("".join(parts).split())


@dataclass(frozen=True)
class TextLoss:
    text: str  # the drafter's words that would not reach the letter
    tags: tuple[str, ...]  # the elements found in the body that swallow text
    unclosed: tuple[str, ...]  # those among them never closed


def _tags_in(html: str, tags) -> list[str]:
    return [tag for tag in sorted(tags) if re.search(rf"<\s*{tag}[\s/>]", html, re.IGNORECASE)]


def text_losses(html: str) -> TextLoss | None:
    """What the sanitiser would drop of the text a reader sees, or None."""
    return _losses(html, _clean(html))


def _losses(html: str, cleaned: str) -> TextLoss | None:
    before, after = visible_text(html), visible_text(cleaned)
    # Whitespace between blocks may come and go; words may not.
    if "".join(before.split()) == "".join(after.split()):
        return None
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    lost = [before[i1:i2] for op, i1, i2, _j1, _j2 in matcher.get_opcodes() if op in ("delete", "replace")]
    # <embed> is a void element: it holds no text, so it is never the culprit.
    tags = _tags_in(html, DROP_WITH_CONTENT - INVISIBLE - {"embed"})
    unclosed = [
        tag
        for tag in tags
        if len(re.findall(rf"<\s*{tag}[\s>]", html, re.IGNORECASE)) > len(re.findall(rf"</\s*{tag}\s*>", html, re.IGNORECASE))
    ]
    return TextLoss(text=" … ".join(part.strip() for part in lost if part.strip()), tags=tuple(tags), unclosed=tuple(unclosed))


def sanitize_body_html(html: str) -> str:
    """Return ``html`` reduced to the letter-body allow-list (see module doc)."""
    cleaned = _clean(html)
    loss = _losses(html, cleaned)
    if loss is not None:
        # The form refuses such bodies; one that arrives another way (import,
        # shell, an old draft) still renders, but not silently.
        logger.warning("Letter body text dropped by the sanitiser: %s", loss)
    return cleaned
