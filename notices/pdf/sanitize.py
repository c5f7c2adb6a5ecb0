"""Reduce letter body HTML to a small, inert subset.

Neither ``nh3`` nor ``bleach`` is installed in this project, so this is a
small allow-list sanitizer on the standard library's ``html.parser``:

* Only the tags in :data:`ALLOWED_TAGS` survive, re-serialised by us (never
  copied from the input), so malformed or tricky markup cannot leak through.
* No attributes except integer ``colspan``/``rowspan`` on table cells: no
  ``style`` (CSS ``url()`` fetches), no ``src``/``href``, no event handlers.
* ``script``, ``style``, ``iframe`` & co. are dropped *with* their content;
  ``img``, ``link``, ``meta`` are dropped; links (``<a>``) and any other
  unknown tag (``div``, ``span``, ``font`` from pasted Word HTML) are
  unwrapped — their text is kept, the tag is not.
* All text is HTML-escaped on output; comments, doctypes, processing
  instructions and CDATA are discarded.
* Open tags are closed at the end, stray end tags are ignored.

The output is safe to place into the letter template as-is. The PDF renderer
still uses a fetcher that refuses anything but our own assets (defence in
depth).
"""

from __future__ import annotations

from html import escape
from html.parser import HTMLParser

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "strong", "b", "em", "i", "u", "ol", "ul", "li", "h3", "h4",
        "table", "thead", "tbody", "tr", "th", "td", "blockquote",
    }
)  # fmt: skip
VOID_TAGS = frozenset({"br"})
CELL_ATTRS = frozenset({"colspan", "rowspan"})
MAX_SPAN = 50

# Dropped together with everything inside them: their content is code,
# metadata or an embedded document, not letter text.
DROP_WITH_CONTENT = frozenset(
    {
        "script", "style", "iframe", "frame", "frameset", "object", "embed",
        "applet", "noscript", "noembed", "noframes", "template", "svg", "math",
        "head", "title", "textarea", "select", "option", "button", "canvas",
        "audio", "video", "xml",
    }
)  # fmt: skip


class _Sanitizer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.stack: list[str] = []
        self.drop_depth = 0  # > 0 while inside a DROP_WITH_CONTENT element

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROP_WITH_CONTENT:
            self.drop_depth += 1
            return
        if self.drop_depth or tag not in ALLOWED_TAGS:
            return
        self.out.append(f"<{tag}{self._attrs(tag, attrs)}>")
        if tag not in VOID_TAGS:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <br/>, <iframe/> — self-closing: never opens a drop region.
        if tag in DROP_WITH_CONTENT or self.drop_depth or tag not in ALLOWED_TAGS:
            return
        if tag in VOID_TAGS:
            self.out.append(f"<{tag}>")
        else:
            self.out.append(f"<{tag}{self._attrs(tag, attrs)}></{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if tag in DROP_WITH_CONTENT:
            self.drop_depth = max(0, self.drop_depth - 1)
            return
        if self.drop_depth or tag not in ALLOWED_TAGS or tag in VOID_TAGS:
            return
        if tag in self.stack:
            # Close everything opened since, so nesting stays well-formed.
            while self.stack:
                open_tag = self.stack.pop()
                self.out.append(f"</{open_tag}>")
                if open_tag == tag:
                    break

    def handle_data(self, data: str) -> None:
        if not self.drop_depth:
            self.out.append(escape(data, quote=False))

    # Comments, <!DOCTYPE>, <?pi?>, <![CDATA[...]]>: discarded.
    def handle_comment(self, data: str) -> None:
        pass

    def handle_decl(self, decl: str) -> None:
        pass

    def handle_pi(self, data: str) -> None:
        pass

    def unknown_decl(self, data: str) -> None:
        pass

    @staticmethod
    def _attrs(tag: str, attrs: list[tuple[str, str | None]]) -> str:
        if tag not in ("td", "th"):
            return ""
        kept: dict[str, int] = {}
        for name, value in attrs:
            if name in CELL_ATTRS and value is not None and value.strip().isdigit():
                kept[name] = max(1, min(int(value.strip()), MAX_SPAN))
        return "".join(f' {name}="{number}"' for name, number in kept.items())

    def result(self) -> str:
        self.close()
        while self.stack:
            self.out.append(f"</{self.stack.pop()}>")
        return "".join(self.out)


def sanitize_body_html(html: str) -> str:
    """Return ``html`` reduced to the letter-body allow-list (see module doc)."""
    parser = _Sanitizer()
    parser.feed(html or "")
    return parser.result()
