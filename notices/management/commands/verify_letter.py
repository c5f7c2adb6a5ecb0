from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from notices.services.verification import letter_verify


class Command(BaseCommand):
    help = "Check that a PDF is a genuine, unaltered letter stamped by Atrium (the same check as /verify/)."

    def add_arguments(self, parser):
        parser.add_argument("pdf", type=Path)

    def handle(self, *args, pdf: Path, **options):
        try:
            data = pdf.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {pdf}: {exc}") from None
        verdict = letter_verify(data=data)
        if not verdict.genuine:
            # One line, the verdict first: this is read by people and by scripts.
            known = f" ({verdict.letter.doc_number})" if verdict.letter else ""
            raise CommandError(f"NOT GENUINE{known}: {verdict.reason} SHA-256 {verdict.sha256}")
        letter = verdict.letter
        self.stdout.write(self.style.SUCCESS(
            f"GENUINE: {letter.doc_number} «{letter.title}», {letter.centre}, {letter.doc_date:%Y-%m-%d}; "
            f"sealed by {verdict.validation.signer}; SHA-256 {verdict.sha256}"
        ))
