"""The staff admin's listings and home page run a bounded number of queries,
whatever the number of rows: who reaches which centre is read once per
request, the menu asks no query per entry, rows fetch their relations
together; the home counts its figures together and lists the letters
awaiting review without a query per letter. The bound (15) is the issue's;
the rows are more than a page."""

from datetime import date

import pytest
from django.urls import reverse
from wagtail.admin.viewsets import viewsets

from notices.fire.models import InspectionRound
from portal.access import centres_for, has_role, is_staff_member
from portal.admin_scoping import ScopedSnippetViewSet
from portal.models import User
from portal.models.accounts import Role, StaffMembership
from tests.base import make_request, make_tenant
from tests.factories import ContactFactory
from tests.fixtures.shared_world import on_world
from tests.notices.letters import decide, draft_letter, make_template, submit

MAX_QUERIES = 15


def _busy(world):
    """Centre A with more tenants than a listing page holds, each with a unit
    and a contact, and requests, some taken, some not."""
    for i in range(60):
        tenant = make_tenant(world.centre_a, f"TX{i:03d}", f"测试火锅{i}号店")  # with its unit
        ContactFactory(tenant=tenant, with_account=False)
    for i in range(25):
        make_request(world, assignee=world.ops_a if i % 2 else None)
    # Letters awaiting the leader, and one the leader approved, awaiting the
    # seal keeper: the review list must not cost a query per letter.
    make_template(world.centre_a)
    letters = [submit(draft_letter(world.drafter_a, world.centre_a, title=f"通知{i}"), world.drafter_a) for i in range(6)]
    decide(letters[0], world.leader_a)
    # Months of fire-safety rounds: the overview must not cost queries per round.
    for months_ago in range(8):
        InspectionRound.objects.create(centre=world.centre_a, month=date(2025 - months_ago // 12, 12 - months_ago % 12, 1))
    world.superuser = User.objects.create_superuser(email="root@a.test", password="x")
    return world


busy = on_world("busy", _busy)  # built once for the tests around one (tests/fixtures/shared_world.py)


def _listings() -> dict[str, str]:
    reverse("wagtailadmin_home")  # builds the admin URLs, registering every viewset
    return {
        viewset.name: reverse(viewset.get_url_name("list"))
        for viewset in viewsets.viewsets
        if isinstance(viewset, ScopedSnippetViewSet)
    }


def test_every_atrium_listing_stays_within_the_bound(client, busy, django_assert_max_num_queries):
    people = [busy.ops_a, busy.manager]
    opened = []
    for name, url in _listings().items():
        for person in people:
            client.force_login(person)
            if client.get(url).status_code != 200:
                continue
            with django_assert_max_num_queries(MAX_QUERIES):
                assert client.get(url).status_code == 200, name
            opened.append(name)
            break
    # The main listings were really measured, not skipped as unreachable.
    assert {"tenant", "unit", "contact", "servicerequest", "storagedeposit", "letter"} <= set(opened)


def test_every_listing_download_stays_within_the_bound(client, busy, django_assert_max_num_queries):
    """A download ("下载 CSV / XLSX") lists every row, not a page: choice
    labels and yes/no are read in memory and each row's relations come with
    it (the listing's select_related), so no query per row."""
    people = [busy.ops_a, busy.manager, busy.seal_a, busy.superuser]
    measured = set()
    for viewset in viewsets.viewsets:
        if not isinstance(viewset, ScopedSnippetViewSet) or not isinstance(viewset.list_export, list | tuple):
            continue
        url = reverse(viewset.get_url_name("list"))
        for person in people:
            client.force_login(person)
            if client.get(url, {"export": "csv"}).status_code != 200:
                continue
            for fmt in ("csv", "xlsx"):
                with django_assert_max_num_queries(MAX_QUERIES, info=f"{url}?export={fmt}"):
                    response = client.get(url, {"export": fmt})
                    body = b"".join(response.streaming_content)  # the CSV's rows are read as it streams
                assert response.status_code == 200 and body, (url, fmt)
            measured.add(viewset.name)
            break
    assert {"tenant", "unit", "contact", "servicerequest", "letter", "sealuse"} <= measured, measured


def _within_the_bound(client, busy, personas, url, django_assert_max_num_queries) -> dict[str, str]:
    """Open `url` as each persona in turn (once to warm what a first request
    caches, then counted) on one `busy` world: it takes seconds to build, so
    the personas share it rather than each building their own. Each counted
    request names its persona when it goes over. The pages, by persona."""
    pages = {}
    for persona in personas:
        client.force_login(getattr(busy, persona))
        client.get(url)
        with django_assert_max_num_queries(MAX_QUERIES, info=f"{url} as {persona}"):
            response = client.get(url)
        assert response.status_code == 200, (url, persona)
        pages[persona] = response.content.decode()
    return pages


def test_the_admin_home_stays_within_the_bound(client, busy, django_assert_max_num_queries):
    personas = ["ops_a", "manager", "seal_a", "drafter_a", "leader_a", "editor_a", "superuser"]
    _within_the_bound(client, busy, personas, "/admin/", django_assert_max_num_queries)


def test_the_fire_safety_overview_stays_within_the_bound(client, busy, django_assert_max_num_queries):
    personas = ["ops_a", "manager", "superuser"]
    _within_the_bound(client, busy, personas, reverse("fire_admin:overview"), django_assert_max_num_queries)


def test_the_handbook_editions_stay_within_the_bound(client, busy, django_assert_max_num_queries):
    from portal.pages.handbook import handbook_edition_issue
    from tests.pages.site import build_site

    site = build_site(busy)
    for i in range(4):
        handbook_edition_issue(actor=site.reviewer_a, handbook=site.handbook_a, changes=f"第{i}版", requires_ack=False)
    url = reverse("portal_editions:index")
    pages = _within_the_bound(client, busy, ["manager", "superuser"], url, django_assert_max_num_queries)
    # Each edition still names its handbook's centre.
    for persona, html in pages.items():
        assert html.count(str(busy.centre_a)) >= 4, persona


def test_the_tenant_search_stays_within_the_bound(client, busy, django_assert_max_num_queries):
    client.force_login(busy.ops_a)
    url = reverse("wagtailsnippets_tenants_tenant:list")
    client.get(url, {"q": "火锅"})
    with django_assert_max_num_queries(MAX_QUERIES):
        assert client.get(url, {"q": "火锅"}).status_code == 200


def test_a_membership_given_during_a_request_is_seen_by_the_rest_of_it(world, rf):
    """The answers kept for a request are forgotten when a membership changes."""
    from portal.request_memo import RequestMemoMiddleware

    newcomer = world.ops_b
    answers = []

    def view(request):
        answers.append(has_role(newcomer, world.centre_a, Role.OPERATIONS))
        StaffMembership.objects.create(user=newcomer, operator=world.centre_a.operator, centre=world.centre_a,
                                       role=Role.OPERATIONS)
        answers.append(has_role(newcomer, world.centre_a, Role.OPERATIONS))
        answers.append(world.centre_a in centres_for(newcomer, [Role.OPERATIONS]))
        return None

    RequestMemoMiddleware(view)(rf.get("/admin/"))
    assert answers == [False, True, True]


def test_an_inactive_user_reaches_nothing_even_with_memberships(world):
    world.ops_a.is_active = False
    assert not is_staff_member(world.ops_a)
    assert not centres_for(world.ops_a).exists()
    assert not has_role(world.ops_a, world.centre_a, Role.OPERATIONS)


def test_a_tenant_is_found_by_any_part_of_its_chinese_names(client, world):
    tenant = make_tenant(world.centre_a, "TA777", "老城隍庙小笼包")
    tenant.legal_name = "上海豫园餐饮管理有限公司"
    tenant.save()
    client.force_login(world.ops_a)
    url = reverse("wagtailsnippets_tenants_tenant:list")
    # Two characters from the middle of a name, which no word segmentation
    # would cut out, and parts of the legal name.
    for query in ("城隍", "隍庙小", "笼包", "豫园餐饮", "TA777", "ta777"):
        assert "老城隍庙小笼包" in client.get(url, {"q": query}).content.decode(), query
    assert "老城隍庙小笼包" not in client.get(url, {"q": "城庙"}).content.decode()


def test_the_tenant_search_has_its_trigram_indexes_on_postgresql(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes exist on PostgreSQL only; SQLite searches by scanning")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'tenants_tenant' AND indexdef LIKE '%gin_trgm_ops%'")
        names = {row[0] for row in cursor.fetchall()}
    assert names == {"tenant_code_trgm", "tenant_trading_name_trgm", "tenant_legal_name_trgm"}
