"""Upgrading an existing database to the letter's own 版记 fields (0010):
before, every letter printed its template's signatory as 印发机关; letters
not yet stamped keep doing so, a stamped letter's fields stay empty (its
PDF is never rendered again), and a centre without a template is left alone."""

import pytest

from notices.models import Letter, LetterStatus
from tests.migrating import latest, migrate_to

from .letters import draft_letter, make_template

BEFORE = [("notices", "0009_letter_listing_indexes")]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_unstamped_letters_keep_printing_the_signatory(world):
    template = make_template(world.centre_a, with_seal=False)
    draft = draft_letter(world.drafter_a, world.centre_a)
    stamped = draft_letter(world.drafter_a, world.centre_a, title="已盖章的函件")
    Letter.objects.filter(pk=stamped.pk).update(status=LetterStatus.STAMPED, pdf_sha256="0" * 64, doc_number="TA〔2026〕1号")
    elsewhere = draft_letter(world.drafter_a, world.centre_b, title="无模板中心的函件")

    migrate_to(BEFORE)
    new = migrate_to(latest())
    rows = dict(new.get_model("notices", "Letter").objects.values_list("pk", "printed_by"))
    assert rows == {draft.pk: template.signatory_name, stamped.pk: "", elsewhere.pk: ""}
    assert not new.get_model("notices", "Letter").objects.exclude(copy_to="").exists()
