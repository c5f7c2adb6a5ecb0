"""The machinery of the generated access test: walking the URL resolver,
filling each pattern from the fill table, requesting it, and reading what a
response shows (HTML, JSON, CSV, XLSX, ZIP, PDF)."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Pattern:
    name: str  # "namespace:name", or the route when the pattern has no name
    route: str
    kwargs: tuple[str, ...]
    module: str  # the view's module: the project's own views are held to more


def _kwarg_names(pattern) -> tuple[str, ...]:
    regex = pattern.pattern.regex
    names = tuple(regex.groupindex)
    if not names and regex.groups:
        names = tuple(f"_{i}" for i in range(regex.groups))
    return names


def walk_patterns(resolver=None, prefix="", namespaces=(), converters=()) -> list[Pattern]:
    """Every URL pattern of the project, depth first, with its full route."""
    resolver = resolver or get_resolver()
    found = []
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = namespaces + ((p.namespace,) if p.namespace else ())
            found += walk_patterns(p, prefix + str(p.pattern), ns, converters + _kwarg_names(p))
        elif isinstance(p, URLPattern):
            route = prefix + str(p.pattern)
            name = ":".join(namespaces + (p.name,)) if p.name else route
            module = getattr(p.callback, "__module__", "") or ""
            found.append(Pattern(name=name, route=route, kwargs=converters + _kwarg_names(p), module=module))
    return found


PROJECT_APPS = ("portal.", "tenants.", "notices.", "visits.")


def is_project_view(pattern: Pattern) -> bool:
    # Wagtail's own views wrapped for centre scoping (snippet viewsets, the
    # admin API) or given readable downloads (the listings, portal.admin_exports)
    # keep Wagtail's permission checks on POST; the GET walk covers what they show.
    return pattern.module.startswith(PROJECT_APPS) and pattern.module not in (
        "portal.admin_scoping", "portal.admin_exports", "portal.pages.scoping")


# --- reading a response -------------------------------------------------------

def _pdf_text(data: bytes) -> str:
    try:
        out = subprocess.run(["pdftotext", "-q", "-", "-"], input=data, capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return out.stdout.decode("utf-8", "ignore")


def _zip_text(data: bytes, depth: int = 0) -> str:
    parts = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            parts.append(info.filename)
            parts.append(_text_of(archive.read(info), depth + 1))
    return "\n".join(parts)


def _text_of(data: bytes, depth: int = 0) -> str:
    if data[:5] == b"%PDF-":
        return _pdf_text(data) + data.decode("latin-1")  # the text, and the raw bytes (metadata, file names)
    if data[:2] == b"PK" and depth < 3:
        try:
            return _zip_text(data, depth)
        except zipfile.BadZipFile:
            pass
    return data.decode("utf-8", "ignore")


def response_bytes(response) -> bytes:
    if getattr(response, "streaming", False):
        # The test client closes the response once the content is consumed;
        # closing it again here would send request_finished and close the
        # database connection inside the test's transaction.
        return b"".join(response.streaming_content)
    return response.content


TEXT_TYPES = ("text/html", "application/json", "text/javascript", "application/javascript", "text/plain")


def is_file(response) -> bool:
    """A download (any file, image, PDF, sheet) rather than a page."""
    ctype = response.get("Content-Type", "").split(";")[0].strip()
    return ctype not in TEXT_TYPES or "attachment" in response.get("Content-Disposition", "")


def untitled(response) -> bool:
    """A page whose browser tab names nothing but the product ("- Atrium"):
    a staff member with several tabs open cannot tell them apart."""
    if is_file(response) or not response.get("Content-Type", "").startswith("text/html"):
        return False
    match = re.search(rb"<title>(.*?)</title>", response_bytes(response), re.S)
    return match is not None and not match.group(1).rsplit(b" - ", 1)[0].strip()


def markers_in(response, markers) -> list[str]:
    text = _text_of(response_bytes(response))
    return [m for m in markers if m in text]

