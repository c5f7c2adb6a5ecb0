"""`seed_demo --render-later` (`make run`): the demo's rows are written at
once and its PDFs (the stamped letters, their receipts, the fire notices,
the handbook) are left to the worker, which renders them right after the
portal starts (portal.tasks.seed_demo_render), so the login page answers
within a minute or two of a fresh install instead of after the renders.
Without the flag, seed_demo renders everything itself, as tests expect."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

_later: contextvars.ContextVar[bool] = contextvars.ContextVar("atrium_demo_render_later", default=False)


@contextlib.contextmanager
def rendering_later() -> Iterator[None]:
    token = _later.set(True)
    try:
        yield
    finally:
        _later.reset(token)


def render_now() -> bool:
    """False while seeding with --render-later: skip the PDF, the worker makes it."""
    return not _later.get()


def seed_demo_render() -> None:
    """What --render-later left: stamp the demo letters both approvers
    approved (the chain's own stamping task may have done it first: stamping
    twice is a no-op), deliver them with their demo receipts, and render the
    handbook editions. Safe to run twice, like seed_demo."""
    from django.db import transaction
    from django.test import override_settings

    from notices.models import Letter, LetterStatus
    from notices.services.letters import letter_stamp
    from portal.models.handbook import HandbookEdition
    from portal.pages.handbook import handbook_edition_render
    from portal.pdf.kept import PDF_FIELDS

    from .letter_deliveries import QUIET, _deliver, seed_letter_deliveries
    from .letters import LETTERS

    approved = (LetterStatus.APPROVED, LetterStatus.STAMPING, LetterStatus.STAMPING_FAILED)
    for letter_id in Letter.objects.filter(status__in=approved).values_list("pk", flat=True):
        letter_stamp(letter_id=letter_id)
    with transaction.atomic():
        seed_letter_deliveries(titles=[title for title, *_ in LETTERS])
        # The fire demo's notice and rectification letter: delivered as seed_fire does.
        with override_settings(**QUIET):
            for letter in Letter.objects.filter(status=LetterStatus.STAMPED, deliveries__isnull=True):
                _deliver(letter)
    from .fire import demo_overdue_case

    demo_overdue_case()
    for edition_id in HandbookEdition.objects.values_list("pk", flat=True):
        for language in PDF_FIELDS:  # Chinese and English
            handbook_edition_render(edition_id, language)
