"""A centre's own staff read its tenant-only pages (the front desk is asked
about the handbook and the works notices); the group that lets them in
follows their memberships, a new centre and an existing database."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from wagtail.models import PageViewRestriction

from portal.models import Centre, NoticeIndexPage, NoticePage, Role, StaffMembership
from portal.pages.handbook import handbook_edition_issue
from portal.pages.site import centre_site_ensure, staff_group_name
from tests.base import ANONYMOUS, assert_access, make_staff
from tests.migrating import latest, migrate_to
from tests.pages.site import publish


def _status(user, url) -> int:
    client = Client()
    client.force_login(user)
    return client.get(url).status_code


def test_staff_read_the_handbook_of_their_centre_but_are_not_asked_to_acknowledge_it(site):
    handbook_edition_issue(actor=site.reviewer_a, handbook=site.handbook_a, changes="首版", requires_ack=True)
    client = Client()
    client.force_login(site.w.signer_a)
    assert 'data-testid="acknowledge"' in client.get(site.handbook_a.url).content.decode()
    client.force_login(site.w.ops_a)
    body = client.get(site.handbook_a.url).content.decode()
    assert "租户服务管理手册" in body and 'data-testid="acknowledge"' not in body


def test_a_membership_ended_or_moved_closes_the_pages(site):
    w = site.w
    url = site.private_notice.url
    assert _status(w.ops_a, url) == 200
    membership = StaffMembership.objects.get(user=w.ops_a, centre=w.centre_a)
    membership.centre = w.centre_b
    membership.save()
    assert _status(w.ops_a, url) == 403
    membership.centre = w.centre_a
    membership.save()
    assert _status(w.ops_a, url) == 200
    membership.active = False
    membership.save()
    assert _status(w.ops_a, url) == 403


def test_a_new_centres_pages_open_to_the_operators_managers_at_once(site):
    w = site.w
    centre = Centre.objects.create(operator=w.centre_a.operator, code="GZ", name="广州中心")
    home = centre_site_ensure(centre)
    reviewer = make_staff("reviewer@gz.test", centre, Role.WEB_REVIEWER)
    bulletin = publish(home, NoticeIndexPage(title="公告栏", slug="notices"), by=reviewer)
    notice = publish(bulletin, NoticePage(title="新中心施工通知", slug="works", audience="tenants", category="works",
                                          body="<p>夜间施工。</p>"), by=reviewer)
    gz_ops = make_staff("ops@gz.test", centre, Role.OPERATIONS)
    assert_access(notice.url, allowed=[w.manager, gz_ops], refused=[ANONYMOUS, w.ops_a, w.signer_a])


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_an_existing_database_lets_each_centres_staff_into_its_tenant_pages(world):
    home = centre_site_ensure(world.centre_a)
    centre_site_ensure(world.centre_b)
    reviewer = make_staff("reviewer@a.test", world.centre_a, Role.WEB_REVIEWER)
    notice = publish(home, NoticePage(title="消防安全通知", slug="fire", audience="tenants", body="<p>检查。</p>"),
                     by=reviewer)
    migrate_to([("portal", "0013_field_names")])
    # As an upgraded database is: no staff groups, restrictions to tenants and web staff only.
    Group.objects.filter(name__startswith="中心员工 Centre staff · ").delete()
    assert _status(world.ops_a, notice.url) == 403

    migrate_to(latest())
    staff_a = Group.objects.get(name=staff_group_name(world.centre_a))
    assert set(staff_a.user_set.all()) >= {world.ops_a, world.leader_a, world.manager}
    assert world.ops_b not in staff_a.user_set.all()
    assert staff_a in PageViewRestriction.objects.get(page=notice).groups.all()
    assert _status(world.ops_a, notice.url) == 200
    assert _status(world.ops_b, notice.url) == 403
