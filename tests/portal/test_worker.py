"""A task goes through a real Celery worker process: the same broker and
database the suite runs on (filesystem + SQLite, or Redis + PostgreSQL)."""

from pathlib import Path

import pytest
from django.conf import settings

from portal.models import Role
from portal.services import invitation_create
from tests.fixtures.worker import tasks_to_the_broker


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_invitation_email_is_sent_by_a_real_worker_process(world, worker):
    mail_dir = Path(settings.VAR_DIR) / "mail"
    before = set(mail_dir.glob("*")) if mail_dir.exists() else set()
    with tasks_to_the_broker():
        invitation_create(
            inviter=world.manager, email="worker-test@a.test", kind="staff", centre=world.centre_a, role=Role.LEADER
        )
    sent = []

    def email_sent():
        sent[:] = [p for p in (set(mail_dir.glob("*")) if mail_dir.exists() else set()) - before
                   if "worker-test@a.test" in p.read_text(errors="replace")]
        return sent

    worker.wait_for(email_sent, timeout=60, what="the invitation email")
    assert sent, "no email from the worker within 60 s; worker log:\n" + worker.log()
    assert "/invite/" in sent[0].read_text(errors="replace")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_letter_is_stamped_by_a_real_worker_process(world, worker):
    """The chain completes in the web process; the seal is applied in the worker."""
    from notices.models import Letter, LetterStatus
    from tests.notices.letters import draft_letter, make_template

    make_template(world.centre_a)
    letter = draft_letter(world.drafter_a, world.centre_a)
    with tasks_to_the_broker():
        letter.get_workflow().start(letter, world.drafter_a)
        for user in (world.leader_a, world.seal_a):
            letter.refresh_from_db()
            state = letter.current_workflow_state.current_task_state
            state.task.specific.on_action(state, user, "approve")
    assert Letter.objects.get(pk=letter.pk).status == LetterStatus.APPROVED  # nothing stamped in this process

    def stamping_over():
        letter.refresh_from_db()
        return letter.status in (LetterStatus.STAMPED, LetterStatus.STAMPING_FAILED)

    worker.wait_for(stamping_over, timeout=90, what="the letter to be stamped")
    assert letter.status == LetterStatus.STAMPED, f"{letter.status} {letter.stamping_error}\n{worker.log()}"
    assert letter.doc_number and letter.pdf_sha256
