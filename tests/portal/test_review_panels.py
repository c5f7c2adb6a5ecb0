"""The admin home's workflow panels show what Wagtail's own showed — the
letters awaiting the person's decision, each workflow's tasks with their
status, the actions offered — in a number of queries that does not grow
with the letters listed."""

import pytest
from wagtail.admin.views.home import (
    UserObjectsInWorkflowModerationPanel,
    WorkflowObjectsToModeratePanel,
)

from portal.review_panels import (
    AwaitingReviewPanel,
    MySubmissionsPanel,
    tasks_with_status,
)
from tests.notices.letters import decide, draft_letter, make_template, submit


@pytest.fixture
def in_review(world):
    """Three letters of centre A: two waiting for the leader, one approved
    by the leader and waiting for the seal keeper."""
    make_template(world.centre_a)
    letters = [submit(draft_letter(world.drafter_a, world.centre_a, title=f"通知{i}"), world.drafter_a) for i in range(3)]
    decide(letters[2], world.leader_a)
    return letters


def _context(panel, user, rf):
    request = rf.get("/admin/")
    request.user = user
    return panel.get_context_data({"request": request, "csrf_token": "x"})


def _rows(context):
    return [
        (row["obj"].pk, row["task_state"].pk, row["previous_revision_id"], row["live_revision_id"],
         [(str(label), modal) for _, label, modal in row["actions"]],
         [(task.pk, task.name, task.status, str(task.status_display)) for task in row["workflow_tasks"]],
         row["workflow_action_url_name"], row["workflow_preview_url_name"], row["revisions_compare_url_name"])
        for row in context["states"]
    ]


@pytest.mark.parametrize("persona", ["leader_a", "seal_a", "drafter_a", "ops_a"])
def test_the_review_list_is_the_one_wagtail_showed(world, in_review, rf, persona):
    user = getattr(world, persona)
    ours = _rows(_context(AwaitingReviewPanel(), user, rf))
    assert ours == _rows(_context(WorkflowObjectsToModeratePanel(), user, rf))
    expected = {"leader_a": 2, "seal_a": 1, "drafter_a": 0, "ops_a": 0}[persona]
    assert len(ours) == expected


def test_each_workflow_s_tasks_carry_the_status_wagtail_gives_them(world, in_review):
    states = [letter.current_workflow_state for letter in in_review]
    batched = tasks_with_status(states)
    for state in states:
        wagtail = [(task.pk, task.name, task.status, str(task.status_display)) for task in state.all_tasks_with_status()]
        assert [(task.pk, task.name, task.status, str(task.status_display)) for task in batched[state.pk]] == wagtail
    # The approved step shows as approved, the next as in progress.
    assert [task.status for task in batched[states[2].pk]][:2] == ["approved", "in_progress"]


def test_the_drafter_sees_the_letters_submitted_as_wagtail_showed_them(world, in_review, rf):
    ours = _context(MySubmissionsPanel(), world.drafter_a, rf)["workflow_states"]
    wagtail = _context(UserObjectsInWorkflowModerationPanel(), world.drafter_a, rf)["workflow_states"]
    assert [s.pk for s in ours] == [s.pk for s in wagtail]
    assert len(ours) == 3


def test_the_review_list_costs_the_same_for_one_letter_or_many(client, world, in_review):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.leader_a)
    client.get("/admin/")
    with CaptureQueriesContext(connection) as few:
        assert "通知0" in client.get("/admin/").content.decode()
    for i in range(3, 7):
        submit(draft_letter(world.drafter_a, world.centre_a, title=f"通知{i}"), world.drafter_a)
    with CaptureQueriesContext(connection) as many:
        assert "通知6" in client.get("/admin/").content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)
