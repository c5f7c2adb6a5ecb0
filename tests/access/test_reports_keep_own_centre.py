"""Wagtail's reports narrowed to the user's centres still show the user's
own centre: the workflow report lists centre A's items in moderation to A's
web staff (and none of B's), the site history A's entries to A's staff."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _rows(access_world, role, url):
    client = Client()
    client.force_login(access_world.people[role])
    response = client.get(url)
    assert response.status_code == 200
    return list(response.context["object_list"])


def test_the_workflow_report_lists_the_own_centres_items_only(access_world):
    # Wagtail lists what the user may change: the web editor's pages (a web
    # reviewer, who only publishes, sees an empty report, as before scoping).
    titles = [str(state.content_object) for state in _rows(access_world, "editor_a", "/admin/reports/workflow/")]
    assert titles and all(title.startswith("ZZA-") for title in titles), titles


def test_the_site_history_shows_the_own_centres_entries_only(access_world):
    labels = [entry.label for entry in _rows(access_world, "ops_a", "/admin/reports/site-history/")]
    assert labels and not any("ZZB-" in label for label in labels), labels
