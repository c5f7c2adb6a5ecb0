"""The auditor pack carries the evidence chain's anchors and timestamps, and
production refuses to start without a key of its own for them."""

import io
import json
import zipfile

import pytest
from django.utils import timezone

from portal.audit import audit_record
from tests.portal.test_settings import GOOD_SECRET, _manage, _production
from visits.exports.jobs import auditor_pack


@pytest.mark.django_db
def test_the_auditor_pack_carries_the_anchors_and_the_verdict(world, settings, tmp_path,
                                                              django_capture_on_commit_callbacks):
    settings.ATRIUM_AUDIT_ANCHOR_DIR = tmp_path / "anchors"
    for i in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            audit_record(actor=world.seal_a, action="seal.used", obj=world.tenant_a, details={"n": i}, evidence=True)
    today = timezone.localdate()
    with zipfile.ZipFile(io.BytesIO(auditor_pack(centres=[world.centre_a], start=today, end=today))) as zf:
        names = {f["name"] for f in json.loads(zf.read("manifest.json"))["files"]}
        assert {"evidence/README.txt", "evidence/chain_head.json", "evidence/anchors.jsonl"} <= names
        head = json.loads(zf.read("evidence/chain_head.json"))
        assert head["verdict"].startswith("Audit chain intact") and head["length"] == 2
        assert [json.loads(line)["length"] for line in zf.read("evidence/anchors.jsonl").splitlines()] == [1, 2]
        assert "openssl ts -verify" in zf.read("evidence/README.txt").decode()


@pytest.mark.parametrize(("key", "why"), [
    (None, "missing"),
    ("short", "too short"),
    (GOOD_SECRET, "the SECRET_KEY itself"),
])
def test_production_refuses_to_start_without_an_evidence_key_of_its_own(key, why):
    result = _manage("check", **_production(ATRIUM_AUDIT_KEY=key))
    assert result.returncode != 0, why
    assert "ATRIUM_AUDIT_KEY" in result.stderr
