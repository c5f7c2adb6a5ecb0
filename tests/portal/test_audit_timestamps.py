"""RFC 3161 timestamps of the evidence chain's head, from a timestamp
authority that is a real HTTP server on 127.0.0.1 (pyHanko's
DummyTimeStamper answering TimeStampReqs, with a test CA made with
cryptography) — not a stub of the client."""

import datetime as dt
import hashlib
import json

import pytest
from asn1crypto import cms
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.core.management import CommandError, call_command
from django.db import connection
from django_celery_beat.models import PeriodicTask
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from notices.pdf.seal import self_signed
from portal.audit_anchor import head_statement
from portal.evidence_key import HEAD, ROW, evidence_mac
from portal.models import AuditChainHead, AuditEvent
from portal.models.audit import GENESIS_HASH
from portal.tasks import audit_checkpoint_task
from tests.fixtures.tsa import timestamp_server
from tests.portal import committed_evidence

pytestmark = pytest.mark.django_db


def _der(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _make_ca(name: str):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        self_signed(subject, key, valid_from=now - dt.timedelta(days=1), valid_until=now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                                     encipher_only=False, decipher_only=False), critical=True)
        .sign(key, hashes.SHA256())
    )
    return key, cert


@pytest.fixture(scope="module")
def test_ca(tmp_path_factory):
    """A test CA and the TSA certificate it issued (timeStamping, critical)."""
    ca_key, ca_cert = _make_ca("Atrium Test TSA Root")
    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = dt.datetime.now(dt.UTC)
    tsa_cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Atrium Test TSA")]))
        .issuer_name(ca_cert.subject).public_key(tsa_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=90))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tsa")
    ca_pem = folder / "tsa-ca.pem"
    ca_pem.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    other_pem = folder / "other-ca.pem"
    other_pem.write_bytes(_make_ca("Someone Else's Root")[1].public_bytes(serialization.Encoding.PEM))
    key_der = tsa_key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    return {"ca_pem": ca_pem, "other_pem": other_pem, "ca": _der(ca_cert), "tsa": _der(tsa_cert),
            "tsa_key": asn1_keys.PrivateKeyInfo.load(key_der)}


@pytest.fixture
def tsa_server(test_ca):
    """An RFC 3161 timestamp authority over HTTP on 127.0.0.1 (tests/fixtures/tsa.py)."""
    stamper = DummyTimeStamper(tsa_cert=test_ca["tsa"], tsa_key=test_ca["tsa_key"], certs_to_embed=[test_ca["ca"]])
    with timestamp_server(stamper) as server:
        yield server


@pytest.fixture
def configured(settings, tmp_path, tsa_server, test_ca):
    settings.ATRIUM_AUDIT_ANCHOR_DIR = tmp_path / "anchors"
    settings.ATRIUM_AUDIT_TSA_URL = tsa_server.url
    settings.ATRIUM_AUDIT_TSA_CA = str(test_ca["ca_pem"])
    return settings


@pytest.fixture
def chain(world, configured, django_capture_on_commit_callbacks):
    return committed_evidence(world, django_capture_on_commit_callbacks, count=3, action="letter.signed")


def test_the_checkpoint_timestamps_the_head_at_the_tsa_and_verify_audit_checks_the_token(
    chain, configured, tsa_server, capsys
):
    audit_checkpoint_task.delay()

    assert len(tsa_server.requests) == 1
    token_path = configured.ATRIUM_AUDIT_ANCHOR_DIR / "timestamps" / "head-000000000003.tsr"
    token = cms.ContentInfo.load(token_path.read_bytes())
    imprint = token["content"]["encap_content_info"]["content"].parsed["message_imprint"]["hashed_message"].native
    assert imprint == hashlib.sha256(head_statement(3, chain[-1].hash)).digest()
    assert token_path.with_suffix(".txt").read_bytes() == head_statement(3, chain[-1].hash)

    call_command("verify_audit")
    out = capsys.readouterr().out
    assert out.startswith("Audit chain intact: 3 evidence events")
    assert "1 RFC 3161 timestamps match the chain; the newest covers length 3" in out
    assert "Atrium Test TSA" in out and "not checked" not in out

    audit_checkpoint_task.delay()  # safe to run twice: the head is timestamped already
    assert len(tsa_server.requests) == 1


def test_a_chain_rewritten_with_the_key_after_its_timestamp_is_caught(chain, configured):
    """Someone holding ATRIUM_AUDIT_KEY and the anchor folder can redo every
    MAC and every anchor; they cannot redo the TSA's token."""
    audit_checkpoint_task.delay()
    table, head = AuditEvent._meta.db_table, AuditChainHead._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET details = %s WHERE id = %s", [json.dumps({"n": 99}), chain[1].pk])
        prev = GENESIS_HASH
        for row in AuditEvent.objects.filter(evidence=True).order_by("id"):
            row.prev_hash = prev
            digest = row.compute_hash()
            cursor.execute(f"UPDATE {table} SET prev_hash = %s, hash = %s, mac = %s WHERE id = %s",
                           [prev, digest, evidence_mac(ROW, row.seq, digest), row.pk])
            prev = digest
        cursor.execute(f"UPDATE {head} SET last_hash = %s, mac = %s WHERE id = 1", [prev, evidence_mac(HEAD, 3, prev)])
    # … and writes the anchor file anew, with MACs of the rewritten head.
    (configured.ATRIUM_AUDIT_ANCHOR_DIR / "anchors.jsonl").write_text(json.dumps({
        "length": 3, "last_hash": prev, "mac": evidence_mac(HEAD, 3, prev), "at": "2026-01-01T00:00:00+00:00",
    }) + "\n")
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit")
    first = str(failure.value).splitlines()[0]
    assert f"event id={chain[2].pk} (position 3) is not what the timestamp authority saw" in first


def test_a_token_from_a_tsa_outside_the_configured_trust_is_refused(chain, configured, test_ca):
    audit_checkpoint_task.delay()
    configured.ATRIUM_AUDIT_TSA_CA = str(test_ca["other_pem"])
    with pytest.raises(CommandError, match="does not chain to ATRIUM_AUDIT_TSA_CA"):
        call_command("verify_audit")


def test_a_tsa_that_does_not_answer_still_leaves_the_anchor_and_says_so(chain, configured, tsa_server):
    configured.ATRIUM_AUDIT_TSA_URL = "http://127.0.0.1:9/tsa"  # the discard port: nobody listens
    verdict = audit_checkpoint_task.delay().get()
    assert verdict.startswith("Audit chain intact") and "did not answer" in verdict
    assert not (configured.ATRIUM_AUDIT_ANCHOR_DIR / "timestamps").exists()


def test_the_checkpoint_is_scheduled():
    task = PeriodicTask.objects.get(name="portal: evidence chain checkpoint")
    assert task.task == "portal.tasks.audit_checkpoint_task"
    assert task.interval.every == 60
