"""A task goes through a real Celery worker process: the same broker and
database the suite runs on (filesystem + SQLite, or Redis + PostgreSQL)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from portal.celery import app as celery_app
from portal.models import Role
from portal.services import invitation_create

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    host, port = s.get("HOST") or "127.0.0.1", s.get("PORT") or 5432
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{host}:{port}/{s['NAME']}"


@pytest.fixture
def worker(tmp_path):
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "ATRIUM_VAR_DIR": str(settings.VAR_DIR),
            "EMAIL_BACKEND": "file",
            "DEBUG": "0",
        }
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    log = open(tmp_path / "worker.log", "w+")  # noqa: SIM115 - closed in the fixture's teardown
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "celery"), "-A", "portal", "worker", "--pool=solo", "--loglevel=INFO",
         "--without-heartbeat", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    yield process, log
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_invitation_email_is_sent_by_a_real_worker_process(world, worker):
    process, log = worker
    mail_dir = Path(settings.VAR_DIR) / "mail"
    before = set(mail_dir.glob("*")) if mail_dir.exists() else set()
    celery_app.conf.task_always_eager = False
    try:
        invitation_create(
            inviter=world.manager, email="worker-test@a.test", kind="staff", centre=world.centre_a, role=Role.LEADER
        )
    finally:
        celery_app.conf.task_always_eager = True
    deadline = time.monotonic() + 60
    sent = []
    while time.monotonic() < deadline and not sent:
        assert process.poll() is None, "worker died: " + (log.seek(0) or log.read())
        sent = [p for p in (set(mail_dir.glob("*")) if mail_dir.exists() else set()) - before
                if "worker-test@a.test" in p.read_text(errors="replace")]
        time.sleep(0.3)
    log.seek(0)
    assert sent, "no email from the worker within 60 s; worker log:\n" + log.read()
    assert "/invite/" in sent[0].read_text(errors="replace")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_letter_is_stamped_by_a_real_worker_process(world, worker):
    """The chain completes in the web process; the seal is applied in the worker."""
    from notices.models import Letter, LetterStatus
    from tests.notices.letters import draft_letter, make_template

    process, log = worker
    make_template(world.centre_a)
    letter = draft_letter(world.drafter_a, world.centre_a)
    celery_app.conf.task_always_eager = False
    try:
        letter.get_workflow().start(letter, world.drafter_a)
        for user in (world.leader_a, world.seal_a):
            letter.refresh_from_db()
            state = letter.current_workflow_state.current_task_state
            state.task.specific.on_action(state, user, "approve")
    finally:
        celery_app.conf.task_always_eager = True
    assert Letter.objects.get(pk=letter.pk).status == LetterStatus.APPROVED  # nothing stamped in this process
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, "worker died: " + (log.seek(0) or log.read())
        letter.refresh_from_db()
        if letter.status in (LetterStatus.STAMPED, LetterStatus.STAMPING_FAILED):
            break
        time.sleep(0.3)
    log.seek(0)
    assert letter.status == LetterStatus.STAMPED, f"{letter.status} {letter.stamping_error}\n{log.read()}"
    assert letter.doc_number and letter.pdf_sha256
