"""The admin home's site summary shows Wagtail's figures and links, counted
together with the work figures in one query."""

import re

import pytest
from wagtail.admin.site_summary import PagesSummaryItem
from wagtail.documents.wagtail_hooks import DocumentsSummaryItem
from wagtail.images.wagtail_hooks import ImagesSummaryItem

from portal.admin_summary import DocumentsSummary, ImagesSummary, PagesSummary, _Figures
from portal.models import User

pytestmark = pytest.mark.django_db


def _request(rf, user):
    request = rf.get("/admin/")
    request.user = user
    return request


@pytest.fixture
def superuser(world):
    return User.objects.create_superuser(email="root@a.test", password="x")


@pytest.mark.parametrize("persona", ["editor_a", "superuser", "manager"])
def test_the_summary_shows_what_wagtail_showed(world, superuser, rf, persona):
    user = superuser if persona == "superuser" else getattr(world, persona)
    for theirs, ours in ((PagesSummaryItem, PagesSummary), (ImagesSummaryItem, ImagesSummary),
                         (DocumentsSummaryItem, DocumentsSummary)):
        wagtail = theirs(_request(rf, user))
        mine = ours(_request(rf, user), _Figures(user))
        assert mine.is_shown() == wagtail.is_shown()
        if wagtail.is_shown():
            assert mine.get_context_data({}) == wagtail.get_context_data({})


def test_the_home_shows_the_page_count_linking_to_the_site_s_home(client, world, superuser):
    from wagtail.models import Page, Site

    client.force_login(superuser)
    html = client.get("/admin/").content.decode()
    home = Site.objects.get().root_page
    total = Page.objects.count() - 1  # the tree root is no page
    assert re.search(rf'href="/admin/pages/{home.pk}/">\s*{total}\b', html), html
