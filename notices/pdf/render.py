"""Render an official letter (公函) to PDF with WeasyPrint.

Pure function of a :class:`LetterContext`: no Django, no database. Every
field is HTML-escaped except ``body_html``, which must come from
:func:`notices.pdf.sanitize.sanitize_body_html`. Resources are fetched only
through :class:`~notices.pdf.fetcher.SafeURLFetcher`; the seal and the logo
travel inside the HTML as ``data:`` URLs.
"""

from __future__ import annotations

import base64
import ctypes
import datetime as dt
import functools
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from string import Template
from typing import Literal, TypeVar

from weasyprint import CSS, HTML

from .fetcher import ASSETS_DIR, SafeURLFetcher

DEFAULT_TIME_LIMIT = 30.0
PX_TO_PT = 0.75  # WeasyPrint lays out in CSS px (1/96 in); PDF uses pt (1/72 in)

SealMode = Literal["image", "placeholder", "none"]
T = TypeVar("T")


class RenderTimeout(Exception):
    """The render took longer than its time limit and was abandoned."""


@dataclass(frozen=True)
class LetterContext:
    centre_name: str
    letterhead_name: str
    letterhead_address: str
    letterhead_phone: str
    doc_number: str  # e.g. "BJ商管〔2026〕007号"
    date: dt.date
    addressee: str  # "各位商户" or a tenant's name
    title: str
    body_html: str  # already sanitized (sanitize_body_html)
    signatory_name: str  # company name above the date in the signature block
    attachments: list[str] = field(default_factory=list)
    footer_text: str = ""
    logo_png: bytes | None = None
    seal_png: bytes | None = None
    lang: str = "zh-CN"


@dataclass(frozen=True)
class SealBox:
    """Where the seal sits, in PDF user space (pt, origin bottom-left)."""

    page_index: int  # 0-based
    x1: float
    y1: float
    x2: float
    y2: float

    @property
    def box(self) -> tuple[int, int, int, int]:
        """Integer (x1, y1, x2, y2), the form pyHanko's ``SigFieldSpec`` takes."""
        return (round(self.x1), round(self.y1), round(self.x2), round(self.y2))


@dataclass(frozen=True)
class RenderedLetter:
    pdf: bytes
    pages: int
    seal_box: SealBox | None  # None when the letter has no seal element


def chinese_date(day: dt.date) -> str:
    """2026-11-23 -> '2026年11月23日' (the form used under the signature)."""
    return f"{day.year}年{day.month}月{day.day}日"


def _css_string(text: str) -> str:
    """Quote ``text`` as a CSS string. Every ASCII non-alphanumeric is
    hex-escaped, so quotes, backslashes, newlines and ``</style>`` cannot
    break out of the string or the <style> element."""
    out = []
    for ch in text:
        if ch.isalnum() or ord(ch) > 0x7F and ch.isprintable():
            out.append(ch)
        elif ch == " ":
            out.append(" ")
        else:
            out.append(f"\\{ord(ch):06x}")
    return '"' + "".join(out) + '"'


def _image_data_url(data: bytes, what: str) -> str:
    # Only formats we expect; anything else is a programming error upstream,
    # not something to hand to the image decoders.
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        mime = "image/png"
    elif data.startswith(b"\xff\xd8\xff"):
        mime = "image/jpeg"
    else:
        raise ValueError(f"{what} must be PNG or JPEG bytes")
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


_TEMPLATE = Template(
    """<!DOCTYPE html>
<html lang="$lang">
<head>
<meta charset="utf-8">
<title>$title</title>
<meta name="author" content="$letterhead_name">
<meta name="description" content="$doc_number">
<style>@page { @bottom-center { content: $footer_css "第 " counter(page) " 页 / 共 " counter(pages) " 页"; } }</style>
</head>
<body>
<header class="letterhead">$logo<span class="name">$letterhead_name</span></header>
<p class="doc-number">$doc_number</p>
<hr class="red-rule">
<p class="contact">$contact</p>
<p class="addressee">$addressee：</p>
<h1 class="title">$title</h1>
<div class="body">$body_html</div>
$attachments
<div class="sign-wrap"><div class="sign"><p class="signatory">$signatory_name</p><p class="date">$date</p>$seal</div></div>
</body>
</html>
"""
)


def build_letter_html(context: LetterContext, *, seal: SealMode = "image") -> str:
    """The letter as an HTML document (what WeasyPrint renders).

    ``seal``: ``"image"`` draws ``context.seal_png`` into the page;
    ``"placeholder"`` only reserves the seal's box (an empty element) so that
    :mod:`notices.pdf.sign` can put the picture there as the *signature's*
    appearance; ``"none"`` leaves it out.
    """
    e = functools.partial(escape, quote=True)
    logo = (
        f'<img class="logo" alt="" src="{_image_data_url(context.logo_png, "logo_png")}">'
        if context.logo_png
        else ""
    )
    if seal == "image" and context.seal_png:
        seal_html = f'<img class="seal" id="seal" alt="" src="{_image_data_url(context.seal_png, "seal_png")}">'
    elif seal == "placeholder":
        seal_html = '<div class="seal" id="seal"></div>'
    else:
        seal_html = ""
    if context.attachments:
        items = "".join(
            f"<li>{i}. {e(name)}</li>" for i, name in enumerate(context.attachments, start=1)
        )
        attachments = f'<div class="attachments"><span class="label">附件：</span><ol>{items}</ol></div>'
    else:
        attachments = ""
    contact = "　".join(
        e(part)
        for part in (
            context.centre_name,
            f"地址：{context.letterhead_address}" if context.letterhead_address else "",
            f"电话：{context.letterhead_phone}" if context.letterhead_phone else "",
        )
        if part
    )
    footer = context.footer_text.strip()
    return _TEMPLATE.substitute(
        lang=e(context.lang),
        title=e(context.title),
        letterhead_name=e(context.letterhead_name),
        doc_number=e(context.doc_number),
        footer_css=_css_string(footer + "\n") if footer else '""',
        logo=logo,
        contact=contact,
        addressee=e(context.addressee),
        body_html=context.body_html,  # sanitized upstream; see module doc
        attachments=attachments,
        signatory_name=e(context.signatory_name),
        date=e(chinese_date(context.date)),
        seal=seal_html,
    )


@functools.cache
def _stylesheet() -> CSS:
    # Parsed once per process; the file is ours (assets/), read directly.
    return CSS(filename=str(ASSETS_DIR / "letter.css"), url_fetcher=SafeURLFetcher())


def _find_seal_box(document) -> SealBox | None:
    for index, page in enumerate(document.pages):
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            if element is not None and element.get("id") == "seal":
                x, y = box.border_box_x(), box.border_box_y()
                w, h = box.border_width(), box.border_height()
                page_h = page.height
                return SealBox(
                    page_index=index,
                    x1=x * PX_TO_PT,
                    y1=(page_h - y - h) * PX_TO_PT,
                    x2=(x + w) * PX_TO_PT,
                    y2=(page_h - y) * PX_TO_PT,
                )
    return None


def render_letter(
    context: LetterContext,
    *,
    seal: SealMode = "image",
    time_limit: float = DEFAULT_TIME_LIMIT,
    url_fetcher: SafeURLFetcher | None = None,
) -> RenderedLetter:
    """Render the letter; also report page count and where the seal landed."""
    html = build_letter_html(context, seal=seal)
    fetcher = url_fetcher or SafeURLFetcher()

    def work() -> RenderedLetter:
        document = HTML(
            string=html,
            base_url=ASSETS_DIR.as_uri() + "/",  # relative URLs resolve to assets only
            url_fetcher=fetcher,
        ).render(stylesheets=[_stylesheet()])
        seal_box = _find_seal_box(document)
        pdf = document.write_pdf()  # never full_fonts=True: subsetting keeps it fast and small
        return RenderedLetter(pdf=pdf, pages=len(document.pages), seal_box=seal_box)

    return run_with_time_limit(work, time_limit)


def render_letter_pdf(context: LetterContext, *, time_limit: float = DEFAULT_TIME_LIMIT) -> bytes:
    """Render the letter to PDF bytes (seal drawn as a picture, unsigned).

    For an official, signed letter use :func:`notices.pdf.stamp.stamp_letter`.
    """
    return render_letter(context, seal="image", time_limit=time_limit).pdf


# --- time limit ------------------------------------------------------------
#
# WeasyPrint has no time limit of its own, and a hostile or just enormous
# document (giant tables, deeply nested blocks) can lay out for minutes.
#
# * Main thread (CLI, bench, a Celery prefork worker — tasks run in the
#   child's main thread): SIGALRM via setitimer. The exception is raised
#   *inside* the render, so the work really stops and frees the CPU. It fires
#   between Python bytecodes, i.e. a long single C call (one pango layout)
#   delays it, but WeasyPrint's layout loop is Python, so this is fine. We
#   raise a BaseException so WeasyPrint's many ``except Exception`` blocks
#   (e.g. around URL fetches) cannot swallow it, and the timer re-fires every
#   50 ms in case something does.
# * Any other thread (signals only work in the main thread: gunicorn threads,
#   ASGI executors): run the render in a daemon worker thread and wait with
#   ``join(timeout)``. Python threads cannot be killed: the caller gets
#   RenderTimeout at once, and a watchdog raises the deadline asynchronously
#   inside the worker (CPython's PyThreadState_SetAsyncExc, re-sent until the
#   thread ends) so the abandoned render stops too. Best effort; deployments
#   should still give the process a hard limit (Celery ``time_limit``).
#
# Either way the deadline may interrupt a finaliser (``__del__``) inside
# WeasyPrint; Python then prints "Exception ignored" and that cleanup is
# skipped. Acceptable for an emergency stop.
#
# A subprocess would give a hard kill but costs ~0.5 s of imports per letter,
# more than the whole render budget.


class _Deadline(BaseException):
    """Internal: raised inside the render when the time is up."""


def run_with_time_limit(fn: Callable[[], T], seconds: float) -> T:
    if seconds <= 0:
        raise ValueError("time limit must be positive")
    in_main = threading.current_thread() is threading.main_thread()
    if in_main and hasattr(signal, "setitimer") and signal.getitimer(signal.ITIMER_REAL)[0] == 0:
        return _run_with_alarm(fn, seconds)
    return _run_in_thread(fn, seconds)


def _run_with_alarm(fn: Callable[[], T], seconds: float) -> T:
    def on_alarm(signum, frame):
        raise _Deadline

    previous = signal.signal(signal.SIGALRM, on_alarm)
    try:
        signal.setitimer(signal.ITIMER_REAL, seconds, 0.05)
        try:
            return fn()
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _Deadline:
        raise RenderTimeout(f"letter render exceeded {seconds:g} s") from None
    finally:
        signal.signal(signal.SIGALRM, previous)


def _run_in_thread(fn: Callable[[], T], seconds: float) -> T:
    result: list[T] = []
    error: list[BaseException] = []

    def target() -> None:
        try:
            result.append(fn())
        except _Deadline:
            pass
        except BaseException as exc:  # noqa: BLE001 — re-raised in the caller's thread
            error.append(exc)

    worker = threading.Thread(target=target, name="letter-render", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        _stop_thread(worker)
        raise RenderTimeout(f"letter render exceeded {seconds:g} s")
    if error:
        raise error[0]
    return result[0]


def _stop_thread(worker: threading.Thread, *, attempts: int = 200, every: float = 0.05) -> None:
    """Best effort: raise _Deadline inside ``worker`` until it has ended.

    One async exception can be swallowed (it may land in a ``__del__`` or an
    ``except BaseException``), so a small daemon watchdog re-sends it every
    ``every`` seconds, ``attempts`` times at most. CPython only.
    """

    def watchdog() -> None:
        for _ in range(attempts):
            if not worker.is_alive() or worker.ident is None:
                return
            ctypes.pythonapi.PyThreadState_SetAsyncExc(
                ctypes.c_ulong(worker.ident), ctypes.py_object(_Deadline)
            )
            worker.join(every)

    threading.Thread(target=watchdog, name="letter-render-watchdog", daemon=True).start()
