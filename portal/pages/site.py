"""Each centre's part of the published site: its home page, the groups that
may edit, review and read it, and the review workflow (4.16).

Role groups (portal.roles) are operator-wide; page permissions need to stop at
a centre, so each centre gets its own editor, reviewer and tenant groups with
permissions on its home page's subtree only, and its own workflow whose one
step is a GroupApprovalTask for its reviewer group. Nothing here grants
"publish" to an editor: a page reaches the site only through that workflow."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Locale,
    Page,
    Site,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from portal.models.accounts import Role, StaffMembership
from portal.models.pages import CentreHomePage, PortalIndexPage

EDITOR_PAGE_PERMS = ("add_page", "change_page")
REVIEWER_PAGE_PERMS = ("publish_page",)
DOC_PERMS = ("add_document", "change_document", "choose_document")


def editor_group_name(centre) -> str:
    return f"网站编辑 Web editor · {centre.code}"


def reviewer_group_name(centre) -> str:
    return f"网站审核 Web reviewer · {centre.code}"


def tenant_group_name(centre) -> str:
    return f"租户 Tenants · {centre.code}"


def staff_group_name(centre) -> str:
    return f"中心员工 Centre staff · {centre.code}"


def workflow_name(centre) -> str:
    return f"网站发布审核 Publishing review · {centre.code}"


def tenant_group(centre) -> Group:
    return Group.objects.get_or_create(name=tenant_group_name(centre))[0]


def editor_group(centre) -> Group:
    return Group.objects.get_or_create(name=editor_group_name(centre))[0]


def reviewer_group(centre) -> Group:
    return Group.objects.get_or_create(name=reviewer_group_name(centre))[0]


def staff_group(centre) -> Group:
    """Every active staff member of the centre, whatever the role: it opens the
    tenant-only pages to them (the front desk is asked about the handbook and
    the works notices). It holds no permission."""
    return Group.objects.get_or_create(name=staff_group_name(centre))[0]


def _tree_roots() -> None:
    """Wagtail's own roots (locale, page tree, collections) come from data
    migrations; a database flushed by a test or restored partially lacks them."""
    Locale.objects.get_or_create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root", live=True))
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")


def portal_root() -> PortalIndexPage:
    """The published site's root, made the default Site's root page once."""
    _tree_roots()
    root = PortalIndexPage.objects.first()
    if root is None:
        tree_root = Page.get_first_root_node()
        root = tree_root.add_child(instance=PortalIndexPage(title="Atrium 租户服务", slug="atrium"))
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=root, is_default_site=True)
    elif site.root_page_id != root.pk:
        site.root_page = root
        site.save(update_fields=["root_page"])
    return root


def site_name_ensure(name: str) -> None:
    """Name the default Site after the operator when nobody has named it:
    Wagtail titles the admin home with the site's name, else its hostname
    ("localhost" from Wagtail's first migration)."""
    Site.objects.filter(is_default_site=True, site_name__in=("", "Atrium")).update(site_name=name)


def _page_perm(codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)


@transaction.atomic
def centre_site_ensure(centre) -> CentreHomePage:
    """The centre's home page, groups, collection and workflow. Idempotent."""
    home = CentreHomePage.objects.filter(centre=centre).first()
    root = portal_root()
    site_name_ensure(centre.operator.name)
    if home is None:
        slug = slugify(centre.code) or f"centre-{centre.pk}"
        home = root.add_child(instance=CentreHomePage(title=centre.name, slug=slug, centre=centre))
    editors, reviewers = editor_group(centre), reviewer_group(centre)
    tenant_group(centre)
    # Operator-wide managers read a new centre's tenant-only pages at once
    # (their memberships did not change, so nothing else would add them).
    staff_group(centre).user_set.add(*StaffMembership.objects.filter(
        operator_id=centre.operator_id, centre__isnull=True, active=True).values_list("user_id", flat=True))
    for codename in EDITOR_PAGE_PERMS:
        GroupPagePermission.objects.get_or_create(group=editors, page=home, permission=_page_perm(codename))
    for codename in REVIEWER_PAGE_PERMS:
        GroupPagePermission.objects.get_or_create(group=reviewers, page=home, permission=_page_perm(codename))
    # Attachments live in the centre's own collection: an editor of one centre
    # neither sees nor replaces another centre's files.
    collection = centre_collection(centre)
    if collection is None:
        collection = Collection.get_first_root_node().add_child(name=_free_collection_name(centre))
        type(centre).objects.filter(pk=centre.pk).update(collection=collection)
        centre.collection = collection
    for codename in DOC_PERMS:
        perm = Permission.objects.get(content_type__app_label="wagtaildocs", codename=codename)
        GroupCollectionPermission.objects.get_or_create(group=editors, collection=collection, permission=perm)
    choose = Permission.objects.get(content_type__app_label="wagtaildocs", codename="choose_document")
    GroupCollectionPermission.objects.get_or_create(group=reviewers, collection=collection, permission=choose)

    workflow, _ = Workflow.objects.get_or_create(name=workflow_name(centre), defaults={"active": True})
    task = GroupApprovalTask.objects.filter(name=reviewer_group_name(centre)).first()
    if task is None:
        # The workflow must exist before its tasks are attached (Wagtail pitfall).
        task = GroupApprovalTask.objects.create(name=reviewer_group_name(centre), active=True)
    task.groups.set([reviewers])
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=home, defaults={"workflow": workflow})
    return home


def centre_collection(centre) -> Collection | None:
    return Collection.objects.filter(pk=centre.collection_id).first() if centre.collection_id else None


def _free_collection_name(centre) -> str:
    # Wagtail's collection form refuses two siblings with one name; two centres may
    # share a name (in different cities), so the second gets its code.
    taken = Collection.objects.filter(depth=2, name=centre.name).exists()
    return f"{centre.name} ({centre.code})" if taken else centre.name


def sync_staff_groups(user) -> None:
    """Give a user exactly the per-centre groups their active memberships call
    for (operator-wide memberships: every centre): the staff group of each
    centre, and the editor/reviewer groups of their web roles."""
    from tenants.models import Centre

    wanted: set[str] = set()
    for m in StaffMembership.objects.filter(user=user, active=True).select_related("centre"):
        centres = [m.centre] if m.centre_id else list(Centre.objects.filter(operator_id=m.operator_id))
        for centre in centres:
            wanted.add(staff_group_name(centre))
            if m.role == Role.WEB_EDITOR:
                wanted.add(editor_group_name(centre))
            elif m.role == Role.WEB_REVIEWER:
                wanted.add(reviewer_group_name(centre))
    _set_groups(user, wanted, Q(name__startswith="网站编辑 Web editor · ") | Q(name__startswith="网站审核 Web reviewer · ")
                | Q(name__startswith="中心员工 Centre staff · "))


def sync_tenant_groups(user) -> None:
    """A tenant contact's account belongs to the tenant group of each centre
    where it is an active contact: that group opens the tenant-only pages."""
    from tenants.selectors.contacts import tenant_contacts_of

    wanted = {tenant_group_name(c.tenant.centre) for c in tenant_contacts_of(user)}
    _set_groups(user, wanted, Q(name__startswith="租户 Tenants · "))


def _set_groups(user, wanted: set[str], family: Q) -> None:
    for name in wanted:
        Group.objects.get_or_create(name=name)
    current = set(user.groups.filter(family))
    target = set(Group.objects.filter(name__in=wanted))
    if current - target:
        user.groups.remove(*(current - target))
    if target - current:
        user.groups.add(*(target - current))


def public_url(page: Page) -> str:
    """A page at the portal's public address, for links that leave the
    browser (emails, a printed QR code): WAGTAILADMIN_BASE_URL and the page's
    path, not the Wagtail Site's hostname, which only routes the page tree
    (the demo's is localhost) and is not where a tenant's phone can reach."""
    parts = page.get_url_parts()
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + (parts[2] if parts else "/")
