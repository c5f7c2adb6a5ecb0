""""Waiting for you" on the admin home counts what awaits the person's review
— it said "nothing is waiting" above Wagtail's panel listing a page to approve."""

import pytest

from portal.models import Role
from tests.base import make_staff
from tests.portal.test_my_work import _home, _items, t

from .test_self_approval import _submit

pytestmark = pytest.mark.django_db


def test_a_page_submitted_for_review_waits_for_the_centres_reviewer_only(site):
    _submit(site.w.editor_a, site, "parking")

    html = _home(site.reviewer_a)
    assert _items(html)[t("awaiting your review")] == 1
    assert 'href="#awaiting-review-section"' in html and 'id="awaiting-review-section"' in html

    # The other centre's reviewer, and staff who review nothing, have nothing waiting.
    for person in (site.reviewer_b, make_staff("ops2@a.test", site.w.centre_a, Role.OPERATIONS)):
        assert t("awaiting your review") not in _items(_home(person))
