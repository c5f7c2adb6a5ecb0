"""Rendering HTML to PDF safely, for every PDF Atrium makes (letters, receipt
certificates, the handbook, fire-safety reports, the managers' audit report):
a date in the reader's form and a time limit on WeasyPrint's layout. The URL
fetcher that keeps a render off the file system and the network is beside
this module (fetcher.py)."""

from __future__ import annotations

import ctypes
import datetime as dt
import functools
import logging
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from django.utils.formats import date_format
from django.utils.translation import get_language

T = TypeVar("T")
logger = logging.getLogger(__name__)


# WeasyPrint is imported inside the two functions below, not at the top: it
# takes ~0.35 s, and every web process, manage.py command and test process
# would pay it at start-up though most of them never render a page.


@functools.cache
def pdf_stylesheet(path: Path):
    """A stylesheet of ours, parsed once per process; it may name only files
    in its own folder (fonts, pictures)."""
    from weasyprint import CSS

    from portal.pdf.fetcher import SafeURLFetcher

    return CSS(filename=str(path), url_fetcher=SafeURLFetcher(path.parent))


def lay_out(html: str, *, assets_dir: Path | None = None, stylesheet: str | None = None, url_fetcher=None):
    """Lay `html` out with WeasyPrint (a ``weasyprint.Document``: pages, then
    ``write_pdf()``). Relative URLs resolve inside `assets_dir`, and the safe
    fetcher reads nothing else (no file at all when there is none);
    `stylesheet` names a file there."""
    from weasyprint import HTML

    from portal.pdf.fetcher import SafeURLFetcher

    document = HTML(string=html, base_url=assets_dir.as_uri() + "/" if assets_dir else None,
                    url_fetcher=url_fetcher or SafeURLFetcher(assets_dir))
    return document.render(stylesheets=[pdf_stylesheet(assets_dir / stylesheet)] if stylesheet else [])


def html_to_pdf(html: str, **layout) -> bytes:
    """`html` as PDF bytes (:func:`lay_out`'s options); fonts subset, never
    embedded whole, which keeps it fast and small."""
    return lay_out(html, **layout).write_pdf()


class RenderTimeout(Exception):
    """The render took longer than its time limit and was abandoned."""


def chinese_date(day: dt.date) -> str:
    """2026-11-23 -> '2026年11月23日' (the form used under the signature)."""
    return f"{day.year}年{day.month}月{day.day}日"


def in_chinese() -> bool:
    """Is the document being rendered in Chinese (the active language)?"""
    return (get_language() or "").startswith("zh")


def document_date(day: dt.date) -> str:
    """A date as a document in the active language prints it: 2026年12月1日,
    1 December 2026."""
    return chinese_date(day) if in_chinese() else date_format(day, "j F Y")


_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 -> '一', 12 -> '十二', 20 -> '二十', 35 -> '三十五': the numbering of
    chapters in a Chinese document (第十二章). From 100 on, Arabic figures."""
    if not 0 <= n < 100:
        return str(n)
    tens, units = divmod(n, 10)
    if tens == 0:
        return _DIGITS[units]
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[units] if units else "")


@contextmanager
def failure_kept(row, what: str, *, error_field: str, **failed) -> Iterator[None]:
    """Around the render of a PDF its record keeps (a fee notice, a handbook
    edition): an error is logged, written on `row` (a queryset of the one
    record: the `failed` values, and the error's text in `error_field`) so
    that staff see why there is no PDF, and raised again for the task to be
    retried. A time limit (RenderTimeout, a BaseException) passes through."""
    try:
        yield
    except Exception as exc:
        logger.exception("%s: PDF render failed", what)
        row.update(**failed, **{error_field: str(exc)[:300]})
        raise


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
        raise RenderTimeout(f"PDF render exceeded {seconds:g} s") from None
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
        raise RenderTimeout(f"PDF render exceeded {seconds:g} s")
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
