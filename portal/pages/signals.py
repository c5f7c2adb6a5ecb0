"""Keep groups, privacy and centre sites in step with the records they follow."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished, post_page_move

from portal.models.accounts import StaffMembership


@receiver(page_published)
def published_audience(sender, instance, **kwargs):
    from .privacy import page_apply_audience

    page_apply_audience(instance.specific, published=True)


@receiver(page_published)
def fee_schedule_published(sender, instance, **kwargs):
    """A fee schedule published (or republished) may be the one in force:
    its printable notice is made after commit (portal.pages.fee_notices)."""
    from portal.models import FeeScheduleIndexPage, FeeSchedulePage

    page = instance.specific
    if isinstance(page, FeeSchedulePage):
        index_id = page.get_parent().pk
    elif isinstance(page, FeeScheduleIndexPage):
        index_id = page.pk
    else:
        return
    from .tasks import fee_notices_refresh_task

    transaction.on_commit(lambda: fee_notices_refresh_task.delay([index_id]), robust=True)


@receiver(post_save, sender=StaffMembership)
@receiver(post_delete, sender=StaffMembership)
def membership_changed(sender, instance, **kwargs):
    from .site import sync_staff_groups

    sync_staff_groups(instance.user)


def _contact_changed(sender, instance, **kwargs):
    from .site import sync_tenant_groups

    if instance.user_id:
        sync_tenant_groups(instance.user)
    previous = getattr(instance, "_atrium_previous_user_id", None)
    if previous and previous != instance.user_id:
        from portal.models.accounts import User

        user = User.objects.filter(pk=previous).first()
        if user:
            sync_tenant_groups(user)


def _contact_loaded(sender, instance, **kwargs):
    instance._atrium_previous_user_id = instance.user_id


def _centre_saved(sender, instance, created, **kwargs):
    if created:
        from .site import centre_site_ensure

        centre_id = instance.pk

        def ensure():
            from tenants.models import Centre

            centre_site_ensure(Centre.objects.get(pk=centre_id))

        # robust: a centre is saved even if its site cannot be made now (it is
        # made later by `manage.py ensure_centre_sites`).
        transaction.on_commit(ensure, robust=True)


# What a draft save writes on the live page's row: nothing a reader sees.
_DRAFT_ONLY_FIELDS = frozenset(
    {"draft_title", "latest_revision", "latest_revision_created_at", "has_unpublished_changes", "locked",
     "locked_at", "locked_by", "live_revision", "search_text"}
)


def _content_changed(sender, **kwargs):
    from .cache import pages_purge

    update_fields = kwargs.get("update_fields")
    if update_fields and set(update_fields) <= _DRAFT_ONLY_FIELDS:
        return
    pages_purge()


def connect_purges() -> None:
    """Every change to what the public reads starts a new generation of the
    page cache (see portal/pages/cache.py)."""
    from django.db.models.signals import m2m_changed
    from wagtail.models import Page, PageViewRestriction, Site, get_page_models

    from portal.models.handbook import HandbookEdition
    from tenants.models import Centre

    for name, signal in (("published", page_published), ("unpublished", page_unpublished), ("moved", post_page_move)):
        signal.connect(_content_changed, dispatch_uid=f"pages_purge_{name}")
    for model in {Page, *get_page_models(), PageViewRestriction, Site, Centre, HandbookEdition}:
        post_save.connect(_content_changed, sender=model, dispatch_uid=f"pages_purge_saved_{model._meta.label}")
        post_delete.connect(_content_changed, sender=model, dispatch_uid=f"pages_purge_deleted_{model._meta.label}")
    m2m_changed.connect(_content_changed, sender=PageViewRestriction.groups.through, dispatch_uid="pages_purge_groups")


def connect() -> None:
    from django.db.models.signals import post_init

    from tenants.models import Centre, Contact

    post_save.connect(_contact_changed, sender=Contact, dispatch_uid="pages_contact_saved")
    post_delete.connect(_contact_changed, sender=Contact, dispatch_uid="pages_contact_deleted")
    post_init.connect(_contact_loaded, sender=Contact, dispatch_uid="pages_contact_loaded")
    post_save.connect(_centre_saved, sender=Centre, dispatch_uid="pages_centre_saved")


connect()
connect_purges()
