"""The staff admin's weight: every Atrium listing and the admin home against
Wagtail's own snippet listing of a trivial model, in the same run.

Builds a throw-away installation under var/bench-admin-listing and loads the
demo data (plus 5,000 tenants at `make bench-full`), then prints:
- `admin_tenants_over_wagtail_listing`: the CPU of the tenant listing (the
  operations member of centre A) over the CPU of a plain Wagtail
  `SnippetViewSet` listing of taggit's `Tag` (a name and a slug) with as
  many rows on the page, registered here only — no production menu shows
  it. Each is the median of 7 requests, the lowest of three interleaved rounds;
- `admin_listing_queries_<name>`: the queries of every Atrium snippet
  listing, every screen of our admin menu and the staff pages that list
  records (opened by the first demo person it answers), and of each demo
  person's admin home; `admin_listing_queries_max` is the largest;
- the Chinese tenant search's CPU and query count."""

from common import cpu_ms, full, report, setup

setup("admin-listing")

from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from taggit.models import Tag
from wagtail.admin.viewsets import viewsets
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import SnippetChooserViewSet
from wagtail.snippets.views.snippets import SnippetViewSet

from portal.admin_scoping import ScopedSnippetViewSet
from portal.models import User
from tenants.models import Centre, Tenant

BENCH_ONLY = "benchmark only: the floor an admin listing is compared with"


class TrivialTagChooserViewSet(SnippetChooserViewSet):
    unscoped_reason = BENCH_ONLY


class TrivialTagViewSet(SnippetViewSet):
    """Wagtail's own listing, as it ships, of a model with two fields."""

    model = Tag
    chooser_viewset_class = TrivialTagChooserViewSet
    # As many rows as the tenant listing shows (TenantViewSet.list_per_page):
    # the ratio compares the cost of the same page, not of more rows.
    list_per_page = 50
    add_to_admin_menu = False
    unscoped_reason = BENCH_ONLY


register_snippet(TrivialTagViewSet)


def add_tenants(centre, n):
    start = Tenant.objects.filter(centre=centre).count()
    Tenant.objects.bulk_create(
        Tenant(centre=centre, code=f"X{start + i:06d}", trading_name=f"测试火锅{i}号店",
               legal_name=f"测试餐饮{i}有限公司", category="food", tier="3")
        for i in range(n)
    )


# The staff pages outside the admin that list records.
STAFF_PAGES = {"visits": "visits:my_visits", "meetings": "visits:meetings", "surveys": "visits:surveys"}
# Who opens a listing: the first of these it answers. Each one's admin home
# is counted too.
PEOPLE = {"ops": "ops@a.atrium.demo", "manager": "manager@atrium.demo", "seal_keeper": "seal@a.atrium.demo",
          "leader": "leader@a.atrium.demo", "drafter": "drafter@a.atrium.demo", "editor": "editor@a.atrium.demo",
          "superuser": "admin@atrium.demo"}


def atrium_listings() -> dict[str, str]:
    """Every Atrium snippet viewset's listing, every screen of our admin
    menu and the staff pages that list records, by name."""
    from wagtail import hooks

    from portal.admin_menu import AccessMenuItem

    listings = {
        viewset.name: reverse(viewset.get_url_name("list"))
        for viewset in viewsets.viewsets
        if isinstance(viewset, ScopedSnippetViewSet)
    }
    for hook in hooks.get_hooks("register_admin_menu_item"):
        item = hook()
        if isinstance(item, AccessMenuItem):
            # Named by its address: the labels are Chinese.
            listings[item.url.strip("/").removeprefix("admin/").replace("/", "_").replace("-", "_")] = item.url
    listings.update({name: reverse(url_name) for name, url_name in STAFF_PAGES.items()})
    return listings


def clients() -> dict[str, Client]:
    found = {}
    for name, email in PEOPLE.items():
        client = Client()
        client.force_login(User.objects.get(email=email))
        found[name] = client
    return found


def queries(client, url, params=None) -> int | None:
    """The queries of the second GET (the first warms caches), None when
    `client` may not open the page."""
    if client.get(url, params).status_code != 200:
        return None
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


def first_answer(people, url) -> int:
    for client in people.values():
        count = queries(client, url)
        if count is not None:
            return count
    raise AssertionError(f"nobody may open {url}")


def main():
    call_command("migrate", verbosity=0)
    call_command("seed_demo", quiet=True)
    if full():
        add_tenants(Centre.objects.get(code="BJ"), 5000)
    user = User.objects.get(email="ops@a.atrium.demo")
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="taggit"))
    Tag.objects.bulk_create((Tag(name=f"标签{i}", slug=f"tag-{i}") for i in range(60)), ignore_conflicts=True)
    tags = reverse(TrivialTagViewSet().get_url_name("list"))
    tenants = "/admin/snippets/tenants/tenant/"

    people = clients()
    client = people["ops"]
    counts = {name: first_answer(people, url) for name, url in sorted(atrium_listings().items())}
    for name, each in people.items():
        counts[f"admin_home_{name}"] = queries(each, "/admin/")
    for name, count in counts.items():
        report(f"admin_listing_queries_{name}", count, "queries")
    report("admin_listing_queries_max", max(counts.values()), "queries")
    report("admin_wagtail_tag_listing_queries", queries(client, tags), "queries")

    # Interleaved so that load on the machine weighs on both alike.
    floor, ours, search = [], [], []
    for _ in range(3):
        floor.append(cpu_ms(lambda: client.get(tags)))
        ours.append(cpu_ms(lambda: client.get(tenants)))
        search.append(cpu_ms(lambda: client.get(tenants, {"q": "火锅"})))
    floor_ms, ours_ms, search_ms = min(floor), min(ours), min(search)
    report("admin_wagtail_tag_listing_cpu", floor_ms, "ms")
    report("admin_tenants_cpu", ours_ms, "ms")
    report("admin_tenants_over_wagtail_listing", ours_ms / floor_ms, "x")
    report("admin_tenant_search_cpu", search_ms, "ms")
    report("admin_tenant_search_queries", queries(client, tenants, {"q": "火锅"}), "queries")


if __name__ == "__main__":
    main()
