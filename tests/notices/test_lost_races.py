"""Every lost race ends in a clear message and repeats nothing: two leaders
approving at once, two seal keepers sealing, two devices signing, two staff
recording the same paper receipt. On SQLite the second call comes after the
first committed; the threaded cases run on PostgreSQL."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone
from wagtail.models import TaskState

from notices.models import Letter, LetterStatus, Receipt, SealUse
from notices.services.decisions import AlreadyDecided, letter_decide
from portal.models import AuditEvent, Role
from tests.base import PASSWORD, make_staff, png_upload

from .delivery import delivery_of, stamped_letter
from .letters import draft_letter, make_template, submit
from .test_numbering_concurrency import _in_threads


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _events(letter, action) -> int:
    return AuditEvent.objects.for_object(letter).filter(action=action).count()


def _named(email, centre, role, name):
    user = make_staff(email, centre, role)
    user.full_name = name
    user.save(update_fields=["full_name"])
    return user


@pytest.fixture
def in_approval(world):
    make_template(world.centre_a)
    world.leader_a.full_name = "王领导"
    world.leader_a.save(update_fields=["full_name"])
    world.leader_a2 = _named("leader2@a.test", world.centre_a, Role.LEADER, "李领导")
    return submit(draft_letter(world.drafter_a, world.centre_a), world.drafter_a)


def _page_step(client, letter) -> int:
    """The step the approver's letter page offers (the hidden field of its form)."""
    response = client.get(reverse("notices_letters:detail", args=[letter.pk]))
    assert response.status_code == 200
    return response.context["task_state_id"]


def _decide(client, letter, step, decision="approve", comment=""):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("notices_letters:decide", args=[letter.pk]),
                           {"decision": decision, "comment": comment, "task_state": step})


# --- approve -------------------------------------------------------------------


@pytest.mark.django_db
def test_the_second_leader_is_told_who_approved_and_when(world, in_approval):
    letter = in_approval
    first, second = _client(world.leader_a), _client(world.leader_a2)
    step = _page_step(first, letter)
    assert _page_step(second, letter) == step  # both see the same step waiting
    assert _decide(first, letter, step).status_code == 302
    response = _decide(second, letter, step)
    assert response.status_code == 302 and response["Location"] == reverse("notices_letters:detail", args=[letter.pk])
    decided = TaskState.objects.get(pk=step)
    when = timezone.localtime(decided.finished_at).strftime("%Y-%m-%d %H:%M")
    assert _texts(response) == [f"「领导审批」已由 王领导 于 {when} 决定（已批准），无需再操作。"]
    assert decided.status == "approved" and decided.finished_by == world.leader_a
    assert _events(letter, "letter.approved") == 1
    # The chain moved on to the seal step, untouched by the loser.
    current = Letter.objects.get(pk=letter.pk).current_workflow_state.current_task_state
    assert current.task.name.startswith("用章审批") and current.status == "in_progress"


@pytest.mark.django_db
def test_a_leader_who_lost_to_a_return_is_told_it_was_returned(world, in_approval):
    letter = in_approval
    step = _page_step(_client(world.leader_a), letter)
    _decide(_client(world.leader_a), letter, step, "reject", "请补充检查时间")
    # An old form without the step field: the letter's latest chain still tells.
    response = _decide(_client(world.leader_a2), letter, "")
    assert response.status_code == 302
    [text] = _texts(response)
    assert "已由 王领导" in text and "退回起草人" in text
    assert _events(letter, "letter.rejected") == 1 and _events(letter, "letter.approved") == 0
    assert Letter.objects.get(pk=letter.pk).status == LetterStatus.DRAFT


@pytest.mark.django_db
def test_wagtails_approve_button_after_another_leader_decided_sends_to_the_letter_page(world, in_approval):
    letter = in_approval
    step = _page_step(_client(world.leader_a), letter)
    _decide(_client(world.leader_a), letter, step)
    url = reverse("wagtailsnippets_notices_letter:workflow_action", args=[letter.pk, "approve", step])
    for headers in ({}, {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}):
        response = _client(world.leader_a2).post(url, **headers)
        detail = reverse("notices_letters:detail", args=[letter.pk])
        if headers:
            assert response.status_code == 200 and response.json()["redirect"] == detail
        else:
            assert response.status_code == 302 and response["Location"] == detail
        [text] = _texts(response)
        assert "已由 王领导" in text and "已批准" in text
    assert _events(letter, "letter.approved") == 1


@pytest.mark.django_db
def test_a_service_call_on_a_step_decided_meanwhile_raises_already_decided(world, in_approval):
    """The Wagtail path acts on a task state read before the lock: the
    service reads it again under the letter's lock."""
    letter = in_approval
    stale = letter.current_workflow_state.current_task_state
    letter_decide(letter=letter, user=world.leader_a, approve=True)
    with pytest.raises(AlreadyDecided) as lost:
        stale.task.specific.on_action(stale, world.leader_a2, "approve")
    assert "王领导" in str(lost.value)
    assert _events(letter, "letter.approved") == 1


# --- seal ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_second_seal_keeper_is_told_and_the_seal_is_used_once(world, in_approval):
    letter = in_approval
    _decide(_client(world.leader_a), letter, _page_step(_client(world.leader_a), letter))
    keeper2 = _named("seal2@a.test", world.centre_a, Role.SEAL_KEEPER, "赵印章")
    world.seal_a.full_name = "周印章"
    world.seal_a.save(update_fields=["full_name"])
    first, second = _client(world.seal_a), _client(keeper2)
    step = _page_step(first, letter)
    assert _page_step(second, letter) == step
    assert _decide(first, letter, step).status_code == 302
    response = _decide(second, letter, step)
    [text] = _texts(response)
    assert text.startswith("「用章审批」已由 周印章 于 ") and "已批准" in text
    letter.refresh_from_db()
    assert letter.status == LetterStatus.STAMPED
    assert SealUse.objects.filter(letter=letter).count() == 1
    assert SealUse.objects.get(letter=letter).keeper == world.seal_a
    assert _events(letter, "seal.used") == 1 and _events(letter, "letter.chain_completed") == 1


# --- sign ----------------------------------------------------------------------


@pytest.fixture
def to_sign(world):
    letter = stamped_letter(world, sign_by=timezone.localdate() + timedelta(days=5))
    world.signer_a.full_name = "陈店长"
    world.signer_a.save(update_fields=["full_name"])
    return letter


def _sign(client, delivery):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("notices_inbox:sign", args=[delivery.pk]),
                           {"pdf_sha256": delivery.pdf_sha256, "password": PASSWORD})


@pytest.mark.django_db
def test_the_second_device_is_told_who_signed_and_when(world, to_sign):
    delivery = delivery_of(to_sign, world.tenant_a)
    phone, laptop = _client(world.signer_a), _client(world.signer_a)
    assert _sign(phone, delivery).status_code == 302
    response = _sign(laptop, delivery)
    assert response.status_code == 302 and response["Location"] == reverse("notices_inbox:letter", args=[delivery.pk])
    receipt = Receipt.objects.get(delivery=delivery)
    when = timezone.localtime(receipt.signed_at).strftime("%Y-%m-%d %H:%M")
    assert _texts(response) == [f"此函件已由{receipt.signer_name}于 {when} 签收，无需再次签收。"]
    assert _events(to_sign, "letter.signed") == 1 and _events(to_sign, "letter.sign_refused") == 0
    page = laptop.get(response["Location"])
    assert page.status_code == 200 and receipt.signer_name in page.content.decode()


# --- paper ---------------------------------------------------------------------


@pytest.mark.django_db
def test_recording_the_same_paper_receipt_twice_records_it_once(world, to_sign):
    delivery = delivery_of(to_sign, world.tenant_a2)
    url = reverse("notices_letters:paper", args=[to_sign.pk, delivery.pk])
    signed_at = timezone.localtime().replace(microsecond=0) - timedelta(hours=1)

    def record(user):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return _client(user).post(url, {"signer_name": "王店长", "signed_at": signed_at.strftime("%Y-%m-%dT%H:%M"),
                                            "scan": png_upload("receipt.png")})

    assert record(world.ops_a).status_code == 302
    response = record(world.manager)
    assert response.status_code == 302 and response["Location"] == reverse("notices_letters:detail", args=[to_sign.pk])
    assert _texts(response) == [f"此函件已由王店长于 {signed_at.strftime('%Y-%m-%d %H:%M')} 签收，无需再次签收。"]
    assert Receipt.objects.filter(delivery=delivery).count() == 1
    assert _events(to_sign, "letter.signed") == 1
    # Opening the form again says so instead of offering it.
    again = _client(world.ops_a).get(url).content.decode()
    assert f"此函件已由王店长于 {signed_at.strftime('%Y-%m-%d %H:%M')} 签收" in again and 'data-testid="paper-form"' not in again


# --- PostgreSQL: the same races in threads ---------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_leaders_approving_at_the_same_moment_give_one_approval(world):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises whole-database writes; row locks and races are exercised on PostgreSQL")
    make_template(world.centre_a)
    leader2 = make_staff("leader2@a.test", world.centre_a, Role.LEADER)
    letter = submit(draft_letter(world.drafter_a, world.centre_a), world.drafter_a)
    step = letter.current_workflow_state.current_task_state.pk
    leaders = [world.leader_a, leader2] * 2

    def approve(i):
        try:
            letter_decide(letter=letter, user=leaders[i], approve=True, task_state_id=step)
            return ("won", leaders[i].pk)
        except AlreadyDecided as exc:
            return ("lost", exc.task_state.finished_by_id)

    results = _in_threads(4, approve)
    winners = [who for outcome, who in results if outcome == "won"]
    assert len(winners) == 1
    assert sorted(results) == sorted([("won", winners[0])] + [("lost", winners[0])] * 3)
    assert _events(letter, "letter.approved") == 1
    assert TaskState.objects.filter(workflow_state__object_id=str(letter.pk), status="in_progress").count() == 1


@pytest.mark.django_db
def test_retrying_a_failed_stamping_twice_queues_it_once(world):
    make_template(world.centre_a, with_seal=False)
    letter = submit(draft_letter(world.drafter_a, world.centre_a), world.drafter_a)
    for approver in (world.leader_a, world.seal_a):
        step = _page_step(_client(approver), letter)
        _decide(_client(approver), letter, step)
    assert Letter.objects.get(pk=letter.pk).status == LetterStatus.STAMPING_FAILED
    world.seal_a.full_name = "周印章"
    world.seal_a.save(update_fields=["full_name"])
    url = reverse("notices_letters:retry", args=[letter.pk])
    # The first retry's task has not run yet (nothing runs on commit here).
    assert _texts(_client(world.seal_a).post(url)) == ["已重新排队盖章。"]
    response = _client(world.manager).post(url)
    [text] = _texts(response)
    assert text.startswith("盖章已由 周印章 于 ") and text.endswith("重新发起，无需再操作。")
    assert _events(letter, "letter.stamping_retried") == 1
