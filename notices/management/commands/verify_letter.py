import hashlib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from notices.models import Letter, LetterStatus, SealUse
from notices.pdf.sign import validate_pdf


class Command(BaseCommand):
    help = "Check that a PDF is a genuine, unaltered letter stamped by Atrium."

    def add_arguments(self, parser):
        parser.add_argument("pdf", type=Path)

    def handle(self, *args, pdf: Path, **options):
        try:
            data = pdf.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {pdf}: {exc}") from None
        digest = hashlib.sha256(data).hexdigest()
        letter = Letter.objects.filter(pdf_sha256=digest, status=LetterStatus.STAMPED).select_related("centre").first()
        if letter is None:
            result = validate_pdf(data, trust_cert_pem=None)
            hint = " It carries a signature, but its bytes differ from every stamped letter." if result.signed else ""
            raise CommandError(f"NOT GENUINE: no stamped letter has SHA-256 {digest}.{hint}")
        seal_use = SealUse.objects.get(letter=letter)
        result = validate_pdf(data, trust_cert_pem=seal_use.certificate_pem.encode())
        if not (result.intact and result.trusted and result.covers_whole_file):
            raise CommandError(f"NOT GENUINE: the hash matches {letter.doc_number} but the signature fails: {result.error}")
        self.stdout.write(self.style.SUCCESS(
            f"GENUINE: {letter.doc_number} «{letter.title}», {letter.centre}, {letter.doc_date:%Y-%m-%d}; "
            f"sealed by {result.signer}; SHA-256 {digest}"
        ))
