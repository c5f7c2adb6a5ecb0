"""The stamped letter's pages as images, so a tenant reads the letter inline
on a phone instead of downloading the whole PDF on every view.

Made once, right after stamping (in the same Celery task), with poppler's
``pdftoppm`` (already a system dependency, see scripts/system-deps.sh), and
kept as private files beside the PDF: they are served only through the
access-checked inbox view (portal.files), never from a public folder. A page
missing (a letter stamped before this existed, or a render that failed) is
made again the first time it is asked for.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from pathlib import Path, PurePosixPath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from notices.models import Letter

log = logging.getLogger(__name__)

# 1170 px wide: a 390 px phone screen at 3 device pixels per CSS pixel.
PAGE_IMAGE_WIDTH = 1170
RENDER_SECONDS = 60


class PageImageError(Exception):
    pass


def letter_page_name(letter: Letter, page: int) -> str:
    """Storage name of page ``page`` (1-based); derived from the PDF's own
    name, which carries the start of its SHA-256, so a name never points at
    the image of other bytes."""
    stem = PurePosixPath(letter.pdf.name)
    return str(stem.parent / "pages" / stem.stem / f"page-{page:03d}.png")


def letter_pages_render(*, letter: Letter) -> list[str]:
    """Render every page of the stamped PDF to PNG and store the ones not yet
    stored. Safe to run twice. Returns the storage names, page order."""
    if not letter.pdf:
        raise PageImageError("the letter has no stamped PDF")
    names = [letter_page_name(letter, n) for n in range(1, (letter.pdf_pages or 0) + 1)]
    if names and all(default_storage.exists(name) for name in names):
        return names
    program = shutil.which("pdftoppm")
    if program is None:
        raise PageImageError("pdftoppm is not installed (poppler-utils, scripts/system-deps.sh)")
    with tempfile.TemporaryDirectory(prefix="atrium-pages-") as tmp:
        source = Path(tmp) / "letter.pdf"
        with letter.pdf.open("rb") as fh:
            source.write_bytes(fh.read())
        try:
            subprocess.run(  # noqa: S603 - fixed program and arguments, our own file
                [program, "-png", "-scale-to-x", str(PAGE_IMAGE_WIDTH), "-scale-to-y", "-1",
                 str(source), str(Path(tmp) / "page")],
                check=True, capture_output=True, timeout=RENDER_SECONDS,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise PageImageError(f"pdftoppm failed: {exc}") from exc
        rendered = sorted(Path(tmp).glob("page-*.png"))
        names = [letter_page_name(letter, n) for n in range(1, len(rendered) + 1)]
        for name, path in zip(names, rendered, strict=True):
            if not default_storage.exists(name):
                default_storage.save(name, ContentFile(path.read_bytes()))
    return names


def letter_pages_render_quietly(letter_id: int) -> None:
    """After stamping: the letter is official whether or not its images are
    made, so a failure is logged, not raised (the page view makes them later)."""
    letter = Letter.objects.get(pk=letter_id)
    try:
        letter_pages_render(letter=letter)
    except PageImageError:
        log.exception("Page images of letter %s failed; they will be made on first view", letter_id)


def letter_page_open(*, letter: Letter, page: int):
    """An open handle on page ``page`` (1-based), made now if missing;
    ``None`` for a page the letter does not have."""
    if not letter.pdf or not 1 <= page <= (letter.pdf_pages or 0):
        return None
    name = letter_page_name(letter, page)
    if not default_storage.exists(name):
        letter_pages_render(letter=letter)
    return default_storage.open(name, "rb")
