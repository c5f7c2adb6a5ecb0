"""One verification for /verify/, the letter page and `manage.py verify_letter`:
the same verdict whichever door a letter is checked through, a one-line
answer from the command, and a stored seal certificate that no longer fits
the signature (a database edit) is caught, not waved through."""

import io
import logging

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from notices.models import LetterStatus, SealUse
from notices.pdf.seal import self_signed
from notices.services.verification import letter_verify

from .letters import decide, draft_letter, make_template, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def stamped(world):
    make_template(world.centre_a)
    letter = submit(draft_letter(world.drafter_a, world.centre_a), world.drafter_a)
    decide(letter, world.leader_a)
    letter = decide(letter, world.seal_a)
    assert letter.status == LetterStatus.STAMPED
    with letter.pdf.open("rb") as fh:
        return letter, fh.read()


def _other_certificate_pem() -> str:
    import datetime as dt

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "伪造的印章")])
    now = dt.datetime.now(dt.UTC)
    cert = self_signed(name, key, valid_from=now, valid_until=now + dt.timedelta(days=30)).sign(key, hashes.SHA256())
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def test_the_page_the_command_and_the_hash_agree_on_a_genuine_letter(client, stamped):
    letter, data = stamped
    verdict = letter_verify(data=data)
    assert verdict.genuine and verdict.letter == letter and verdict.validation.covers_whole_file
    assert letter_verify(sha256=letter.pdf_sha256.upper()).genuine
    response = client.post(reverse("notices:verify"), {"sha256": letter.pdf_sha256})
    assert response.context["result"].genuine
    out = io.StringIO()
    call_command("verify_letter", _write(data), stdout=out)
    assert out.getvalue().startswith("GENUINE") and out.getvalue().count("\n") == 1


def test_a_tampered_file_gets_a_one_line_verdict_and_no_traceback(stamped, caplog):
    _letter, data = stamped
    tampered = bytearray(data)
    tampered[len(tampered) // 2] ^= 0x01
    with caplog.at_level(logging.DEBUG), pytest.raises(CommandError) as excinfo:
        call_command("verify_letter", _write(bytes(tampered)))
    message = str(excinfo.value)
    assert message.startswith("NOT GENUINE") and "\n" not in message
    assert not any(record.exc_info for record in caplog.records)


def test_a_seal_certificate_changed_in_the_database_fails_everywhere(client, stamped):
    letter, data = stamped
    # As a database administrator would: behind the application's back.
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {SealUse._meta.db_table} SET certificate_pem = %s WHERE letter_id = %s",
                       [_other_certificate_pem(), letter.pk])
    verdict = letter_verify(data=data)
    assert not verdict.genuine and verdict.letter == letter
    assert verdict.validation.intact and not verdict.validation.trusted
    with pytest.raises(CommandError, match=rf"^NOT GENUINE \({letter.doc_number}\)"):
        call_command("verify_letter", _write(data))
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(reverse("notices:verify"), {"pdf": SimpleUploadedFile("x.pdf", data, "application/pdf")})
    assert response.context["result"].genuine is False


def _write(data: bytes) -> str:
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".pdf", delete=False) as fh:
        fh.write(data)
    return fh.name
