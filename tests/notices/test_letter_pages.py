"""The staff letter page, the PDF, the template and the public verification page."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from notices.models import LetterStatus
from tests.base import ANONYMOUS, assert_access

from .letters import decide, draft_letter, make_template, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def stamped(world):
    make_template(world.centre_a)
    letter = submit(draft_letter(world.drafter_a, world.centre_a), world.drafter_a)
    decide(letter, world.leader_a, comment="同意")
    letter = decide(letter, world.seal_a)
    assert letter.status == LetterStatus.STAMPED
    return letter


def _pdf_bytes(letter):
    with letter.pdf.open("rb") as fh:
        return fh.read()


def test_the_letter_page_shows_status_history_hash_and_a_valid_signature(client, world, stamped):
    client.force_login(world.leader_a)
    body = client.get(reverse("notices_letters:detail", args=[stamped.pk])).content.decode()
    assert stamped.doc_number in body and stamped.pdf_sha256 in body
    assert "同意" in body  # the leader's comment in the history
    assert "✅" in body


def test_letter_pages_answer_the_centres_letter_staff_only(world, stamped):
    for view in ("detail", "pdf"):  # one stamped letter for both
        assert_access(
            reverse(f"notices_letters:{view}", args=[stamped.pk]),
            allowed=[world.drafter_a, world.leader_a, world.seal_a, world.ops_a, world.manager],
            refused=[world.ops_b, world.signer_a, world.editor_a, ANONYMOUS],
        )


def test_the_pdf_download_is_the_stamped_bytes_and_is_audited(client, world, stamped):
    from portal.models import AuditEvent

    client.force_login(world.ops_a)
    response = client.get(reverse("notices_letters:pdf", args=[stamped.pk]))
    assert b"".join(response.streaming_content) == _pdf_bytes(stamped)
    assert response["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.for_object(stamped).filter(action="letter.pdf_downloaded", actor=world.ops_a).exists()


def test_the_letter_listing_and_editor_are_scoped_to_the_centre(world, stamped):
    assert_access(
        reverse("wagtailsnippets_notices_letter:list"),
        allowed=[world.drafter_a, world.ops_b],
        refused=[world.signer_a, ANONYMOUS],
    )
    draft = draft_letter(world.drafter_a, world.centre_a, title="草稿")
    assert_access(
        reverse("wagtailsnippets_notices_letter:edit", args=[draft.pk]),
        allowed=[world.drafter_a],
        refused=[world.ops_b, world.signer_a, ANONYMOUS],
    )


def test_the_template_is_edited_by_seal_keepers_and_managers_and_never_shows_the_key(client, world, stamped):
    template = world.centre_a.letter_template
    url = reverse("wagtailsnippets_notices_lettertemplate:edit", args=[template.pk])
    assert_access(url, allowed=[world.seal_a, world.manager], refused=[world.ops_a, world.drafter_a, world.ops_b, world.signer_a, ANONYMOUS])
    client.force_login(world.seal_a)
    body = client.get(url).content.decode()
    assert "PRIVATE KEY" not in body and "BEGIN" not in body


def test_the_template_refuses_a_key_that_does_not_match_the_certificate(client, world, stamped):
    from .letters import demo_seal

    template = world.centre_a.letter_template
    _seal, key_a, _cert_a = demo_seal("甲")
    _seal, _key_b, cert_b = demo_seal("乙")
    client.force_login(world.seal_a)
    response = client.post(
        reverse("wagtailsnippets_notices_lettertemplate:edit", args=[template.pk]),
        {"centre": world.centre_a.pk, "letterhead_title": "x", "number_pattern": "{code}〔{year}〕{seq:03d}号",
         "signatory_name": "x", "certificate_upload": io.BytesIO(cert_b), "key_upload": io.BytesIO(key_a)},
    )
    assert response.status_code == 200
    assert "私钥不属于此证书" in response.content.decode()


def test_verify_says_genuine_for_the_stamped_pdf(client, stamped):
    upload = io.BytesIO(_pdf_bytes(stamped))
    upload.name = "letter.pdf"
    response = client.post(reverse("notices:verify"), {"pdf": upload})
    assert response.status_code == 200 and response.context["result"].genuine
    assert stamped.doc_number in response.content.decode()
    assert stamped.title not in response.content.decode()  # nothing of the content is disclosed


def test_verify_accepts_a_pasted_hash(client, stamped):
    response = client.post(reverse("notices:verify"), {"sha256": stamped.pdf_sha256.upper()})
    assert response.context["result"].genuine


def test_verify_says_not_genuine_when_one_byte_changed(client, stamped):
    data = bytearray(_pdf_bytes(stamped))
    data[len(data) // 2] ^= 0x01
    upload = io.BytesIO(bytes(data))
    upload.name = "letter.pdf"
    response = client.post(reverse("notices:verify"), {"pdf": upload})
    assert response.status_code == 200 and not response.context["result"].genuine


@pytest.mark.parametrize("payload", [b"", b"%PDF-1.7 garbage", b"\x00" * 1000])
def test_verify_never_fails_on_garbage(client, db, payload):
    upload = io.BytesIO(payload)
    upload.name = "x.pdf"
    response = client.post(reverse("notices:verify"), {"pdf": upload})
    assert response.status_code in (200, 400)


def test_verify_without_input_explains_what_is_needed(client, db):
    response = client.post(reverse("notices:verify"), {})
    assert response.status_code == 400 and response.context["form"].errors


def test_verify_letter_command(tmp_path, stamped):
    good = tmp_path / "good.pdf"
    good.write_bytes(_pdf_bytes(stamped))
    out = io.StringIO()
    call_command("verify_letter", str(good), stdout=out)
    assert "GENUINE" in out.getvalue() and stamped.doc_number in out.getvalue()
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(_pdf_bytes(stamped) + b"\n%tampered")
    with pytest.raises(CommandError, match="NOT GENUINE"):
        call_command("verify_letter", str(bad))


def _in_approval(world):
    make_template(world.centre_a)
    return submit(draft_letter(world.drafter_a, world.centre_a), world.drafter_a)


def test_approvers_decide_on_the_letter_page(client, world, django_capture_on_commit_callbacks):
    letter = _in_approval(world)
    client.force_login(world.leader_a)
    page = client.get(reverse("notices_letters:detail", args=[letter.pk])).content.decode()
    assert 'data-testid="decision"' in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("notices_letters:decide", args=[letter.pk]), {"decision": "approve"})
    letter.refresh_from_db()
    assert letter.current_workflow_state.current_task_state.task.specific.role == "seal_keeper"


def test_returning_a_letter_needs_a_comment(client, world):
    letter = _in_approval(world)
    client.force_login(world.leader_a)
    client.post(reverse("notices_letters:decide", args=[letter.pk]), {"decision": "reject", "comment": " "})
    letter.refresh_from_db()
    assert letter.status == LetterStatus.IN_APPROVAL


@pytest.mark.parametrize("who", ["drafter_a", "ops_a", "seal_a"])
def test_people_who_may_not_decide_are_refused(client, world, who):
    letter = _in_approval(world)
    client.force_login(getattr(world, who))
    page = client.get(reverse("notices_letters:detail", args=[letter.pk])).content.decode()
    assert 'data-testid="decision"' not in page
    response = client.post(reverse("notices_letters:decide", args=[letter.pk]), {"decision": "approve"})
    # Wagtail answers PermissionDenied in its admin with a redirect to the dashboard.
    assert response.status_code == 403 or (response.status_code == 302 and response["Location"] == "/admin/")
    letter.refresh_from_db()
    assert letter.current_workflow_state.current_task_state.task.specific.role == "leader"


def test_the_decision_url_of_another_centre_is_a_404(client, world):
    letter = _in_approval(world)
    assert_access(reverse("notices_letters:decide", args=[letter.pk]), method="post", data={"decision": "approve"},
                  refused=[world.ops_b, world.signer_a, ANONYMOUS])


def test_nobody_edits_a_letter_in_approval(client, world):
    letter = _in_approval(world)
    client.force_login(world.drafter_a)
    client.post(
        reverse("wagtailsnippets_notices_letter:edit", args=[letter.pk]),
        {"centre": world.centre_a.pk, "kind": "notice", "department": "safety", "title": "改过的标题", "addressee": "x",
         "body": '{"blocks":[{"key":"a","text":"x","type":"unstyled","depth":0,"inlineStyleRanges":[],"entityRanges":[]}],"entityMap":{}}',
         "recipient_mode": "all", "attachments-TOTAL_FORMS": "0", "attachments-INITIAL_FORMS": "0"},
    )
    letter.refresh_from_db()
    assert letter.title != "改过的标题"
    assert letter.latest_revision.as_object().title != "改过的标题"
