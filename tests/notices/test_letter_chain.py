"""The approval and seal chain of 4.8.4, on Wagtail's workflow engine."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from notices.models import Letter, LetterStatus, SealUse
from notices.pdf.sign import validate_pdf
from notices.services.letters import LetterError, letter_stamp
from portal.audit_verify import audit_verify_chain
from portal.models import AuditEvent, Role
from tests.base import make_staff

from .letters import decide, draft_letter, make_template, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(world):
    make_template(world.centre_a)
    return world


def test_a_letter_goes_from_draft_through_both_approvals_to_a_stamped_pdf(chain):
    w = chain
    letter = submit(draft_letter(w.drafter_a, w.centre_a), w.drafter_a)
    assert letter.status == LetterStatus.IN_APPROVAL
    decide(letter, w.leader_a)
    assert letter.status == LetterStatus.IN_APPROVAL
    decide(letter, w.seal_a)
    assert letter.status == LetterStatus.STAMPED
    assert letter.doc_number.startswith("TA商管〔") and letter.doc_number.endswith("001号")
    with letter.pdf.open("rb") as fh:
        data = fh.read()
    seal_use = SealUse.objects.get(letter=letter)
    assert (seal_use.applicant, seal_use.leader, seal_use.keeper) == (w.drafter_a, w.leader_a, w.seal_a)
    result = validate_pdf(data, trust_cert_pem=seal_use.certificate_pem.encode())
    assert result.intact and result.trusted
    actions = set(AuditEvent.objects.for_object(letter).values_list("action", flat=True))
    assert {"letter.submitted", "letter.approved", "letter.chain_completed", "seal.used"} <= actions
    assert audit_verify_chain().ok


def test_the_next_approvers_are_notified(chain):
    w = chain
    letter = submit(draft_letter(w.drafter_a, w.centre_a), w.drafter_a)
    assert any(w.leader_a.email in m.to for m in mail.outbox)
    mail.outbox.clear()
    decide(letter, w.leader_a)
    assert any(w.seal_a.email in m.to for m in mail.outbox)


@pytest.mark.parametrize("who", ["drafter_a", "ops_a", "seal_a", "signer_a", "manager"])
def test_only_a_leader_of_the_centre_decides_the_first_step(chain, who):
    w = chain
    letter = submit(draft_letter(w.drafter_a, w.centre_a), w.drafter_a)
    user = getattr(w, who)
    task_state = letter.current_workflow_state.current_task_state
    assert task_state.task.specific.get_actions(letter, user) == []
    with pytest.raises(PermissionDenied):
        decide(letter, user)


def test_a_leader_of_another_centre_cannot_approve(chain):
    w = chain
    leader_b = make_staff("leader@b.test", w.centre_b, Role.LEADER)
    letter = submit(draft_letter(w.drafter_a, w.centre_a), w.drafter_a)
    with pytest.raises(PermissionDenied):
        decide(letter, leader_b)


def test_only_a_seal_keeper_of_the_centre_approves_the_seal_use(chain):
    w = chain
    letter = decide(submit(draft_letter(w.drafter_a, w.centre_a), w.drafter_a), w.leader_a)
    for user in (w.leader_a, w.drafter_a, w.ops_a):
        with pytest.raises(PermissionDenied):
            decide(letter, user)
    assert Letter.objects.get(pk=letter.pk).status == LetterStatus.IN_APPROVAL


def test_nobody_approves_their_own_letter_even_holding_the_role(chain):
    w = chain
    make_staff_role = __import__("portal.models", fromlist=["StaffMembership"]).StaffMembership
    make_staff_role.objects.create(user=w.leader_a, operator=w.operator, centre=w.centre_a, role=Role.DRAFTER, department="safety")
    letter = submit(draft_letter(w.leader_a, w.centre_a), w.leader_a)
    with pytest.raises(PermissionDenied):
        decide(letter, w.leader_a)


def test_rejection_returns_the_letter_to_its_drafter_with_the_comment(chain):
    w = chain
    letter = submit(draft_letter(w.drafter_a, w.centre_a), w.drafter_a)
    mail.outbox.clear()
    letter = decide(letter, w.leader_a, "reject", comment="请补充检查时间")
    assert letter.status == LetterStatus.DRAFT
    assert any(w.drafter_a.email in m.to and "请补充检查时间" in m.body for m in mail.outbox)
    # Resubmission starts the chain again from the leader.
    letter.title = "关于开展消防安全检查的通知（修订）"
    letter.save_revision(user=w.drafter_a)
    letter = submit(letter, w.drafter_a)
    decide(letter, w.leader_a)
    decide(letter, w.seal_a)
    assert Letter.objects.get(pk=letter.pk).status == LetterStatus.STAMPED


def test_nothing_is_stamped_without_both_approvals(chain):
    w = chain
    letter = draft_letter(w.drafter_a, w.centre_a)
    Letter.objects.filter(pk=letter.pk).update(status=LetterStatus.APPROVED)
    with pytest.raises(LetterError):
        letter_stamp(letter_id=letter.pk)
    assert not Letter.objects.get(pk=letter.pk).pdf


def test_a_draft_cannot_be_stamped(chain):
    w = chain
    letter = draft_letter(w.drafter_a, w.centre_a)
    with pytest.raises(LetterError):
        letter_stamp(letter_id=letter.pk)


def test_numbers_follow_each_other_per_centre_and_year(chain):
    w = chain
    numbers = []
    for _ in range(3):
        letter = submit(draft_letter(w.drafter_a, w.centre_a), w.drafter_a)
        decide(letter, w.leader_a)
        numbers.append(decide(letter, w.seal_a).doc_seq)
    assert numbers == [1, 2, 3]


def test_a_stamped_letter_is_never_rendered_again(chain):
    w = chain
    letter = decide(decide(submit(draft_letter(w.drafter_a, w.centre_a), w.drafter_a), w.leader_a), w.seal_a)
    again = letter_stamp(letter_id=letter.pk)
    assert again.pdf_sha256 == letter.pdf_sha256 and again.pdf.name == letter.pdf.name
    assert SealUse.objects.filter(letter=letter).count() == 1


def test_a_failed_stamping_is_visible_and_can_be_retried(world):
    template = make_template(world.centre_a, with_seal=False)
    w = world
    letter = decide(decide(submit(draft_letter(w.drafter_a, w.centre_a), w.drafter_a), w.leader_a), w.seal_a)
    assert letter.status == LetterStatus.STAMPING_FAILED and letter.stamping_error
    assert not letter.pdf and not SealUse.objects.exists()
    number = letter.doc_number
    from .letters import demo_seal

    seal, key, cert = demo_seal(w.centre_a.name)
    template.seal_png, template.seal_certificate_pem = seal, cert.decode()
    template.set_seal_key(key)
    template.save()
    from django.test import TestCase

    from notices.services.letters import letter_retry_stamping

    with TestCase.captureOnCommitCallbacks(execute=True):
        letter_retry_stamping(letter=letter, user=w.seal_a)
    letter.refresh_from_db()
    assert letter.status == LetterStatus.STAMPED
    assert letter.doc_number == number or not number  # the number is kept, never re-issued


def test_editing_an_approved_letter_is_refused(client, chain):
    w = chain
    letter = decide(decide(submit(draft_letter(w.drafter_a, w.centre_a), w.drafter_a), w.leader_a), w.seal_a)
    client.force_login(w.drafter_a)
    response = client.get(f"/admin/snippets/notices/letter/edit/{letter.pk}/")
    assert response.status_code == 302 and response["Location"] == f"/admin/letters/{letter.pk}/"
