"""A WeasyPrint URL fetcher that can only read our own static assets.

WHY: WeasyPrint resolves every URL the document names (``<img src>``,
``<link href>``, CSS ``url()``, ``@import``, ``@font-face``) with urllib,
which happily opens ``file:///etc/passwd`` (local file disclosure: the file
lands inside the PDF) and ``http://169.254.169.254/…`` (SSRF from the
server). Letter bodies are written by staff and sanitized, but the fetcher is
the second wall: whatever slips through the sanitizer still cannot reach the
file system or the network.

Policy (allow-list, everything else refused):

* ``data:`` URLs — images we embed ourselves (seal, logo). Decoded in-process,
  no I/O.
* ``file://`` URLs whose *resolved* path (symlinks and ``..`` collapsed) lies
  inside the ``assets_dir`` the caller names (a letter's stylesheet and fonts,
  the handbook's); with none, no file at all.
* Anything else (``http``, ``https``, ``ftp``, ``file`` elsewhere, unknown
  schemes) raises :class:`RefusedURL`. WeasyPrint turns an ordinary exception
  from a fetcher into a logged warning and renders without the resource, so a
  hostile URL never crashes the render. We never open sockets, so there are no
  redirects to follow either.
"""

from __future__ import annotations

import base64
import mimetypes
import threading
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse

# Large enough for a logo or seal, small enough that a hostile data: URL or a
# mistakenly dropped asset cannot blow up memory.
MAX_RESOURCE_BYTES = 5 * 1024 * 1024


class RefusedURL(ValueError):
    """The fetcher refused a URL (not on the allow-list).

    A plain ``ValueError`` subclass on purpose: WeasyPrint catches ordinary
    exceptions from fetchers and skips the resource; only
    ``FatalURLFetchingError`` would stop the render.
    """


class SafeURLFetcher(URLFetcher):
    """Serve ``data:`` URLs and files under ``assets_dir``; refuse the rest.

    ``requested`` and ``refused`` record every URL seen (thread-safe), which
    is handy for logging and for tests.
    """

    def __init__(self, assets_dir: Path | str | None = None) -> None:
        # The parent installs urllib handlers (HTTP, FTP, ...). We never call
        # into them — ``fetch`` is fully overridden — but restricting the
        # protocols and redirects as well keeps a future refactor that calls
        # ``super().fetch`` from silently reopening the network.
        super().__init__(
            allowed_protocols=("data", "file"),
            allow_redirects=False,
            fail_on_errors=False,
        )
        self.assets_dir = Path(assets_dir).resolve() if assets_dir is not None else None
        self.requested: list[str] = []
        self.refused: list[str] = []
        self._lock = threading.Lock()

    # WeasyPrint calls ``fetcher(url)`` which calls ``fetch(url)``; ``open``
    # (the urllib.OpenerDirector entry point) is closed too, for good measure.
    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        with self._lock:
            self.requested.append(url)
        try:
            return self._fetch_allowed(url)
        except RefusedURL:
            with self._lock:
                self.refused.append(url)
            raise

    def open(self, url, data=None, timeout=None):  # type: ignore[override]
        full_url = getattr(url, "full_url", url)
        return self.fetch(full_url)

    def _fetch_allowed(self, url: str) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            return self._fetch_data(url)
        if scheme == "file":
            return self._fetch_asset(url)
        raise RefusedURL(f"URL scheme not allowed in letters: {url[:100]!r}")

    def _fetch_data(self, url: str) -> URLFetcherResponse:
        # data:[<mediatype>][;base64],<data>  (RFC 2397), parsed here rather
        # than through urllib so that no handler chain is involved.
        try:
            header, payload = url[5:].split(",", 1)
        except ValueError:
            raise RefusedURL("malformed data: URL") from None
        params = header.split(";")
        is_base64 = params[-1].strip().lower() == "base64"
        if is_base64:
            params = params[:-1]
        mime_type = (params[0].strip() or "text/plain").lower()
        if len(payload) > MAX_RESOURCE_BYTES * 4 // 3 + 4:
            raise RefusedURL("data: URL too large")
        try:
            body = (
                base64.b64decode(unquote(payload), validate=False)
                if is_base64
                else unquote_to_bytes(payload)
            )
        except ValueError:
            raise RefusedURL("undecodable data: URL") from None
        headers = {"Content-Type": mime_type}
        return URLFetcherResponse("data:", body, headers)

    def _fetch_asset(self, url: str) -> URLFetcherResponse:
        parts = urlsplit(url)
        # file://host/... would be a UNC path on Windows; only local paths.
        if parts.netloc not in ("", "localhost"):
            raise RefusedURL(f"remote file URL refused: {url[:100]!r}")
        try:
            path = Path(url2pathname(parts.path)).resolve(strict=True)
        except (OSError, RuntimeError, ValueError):
            raise RefusedURL(f"file not found: {url[:100]!r}") from None
        # resolve() has collapsed '..' and followed symlinks, so a symlink in
        # assets/ pointing outside is refused as well.
        if self.assets_dir is None or not path.is_relative_to(self.assets_dir) or not path.is_file():
            raise RefusedURL(f"file outside the render's assets refused: {url[:100]!r}")
        if path.stat().st_size > MAX_RESOURCE_BYTES:
            raise RefusedURL(f"asset too large: {path.name}")
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": mime_type})
