"""Keep groups, privacy and centre sites in step with the records they follow."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.signals import page_published

from portal.models.accounts import StaffMembership


@receiver(page_published)
def published_audience(sender, instance, **kwargs):
    from .privacy import page_apply_audience

    page_apply_audience(instance.specific, published=True)


@receiver(post_save, sender=StaffMembership)
@receiver(post_delete, sender=StaffMembership)
def web_membership_changed(sender, instance, **kwargs):
    from .site import sync_web_groups

    sync_web_groups(instance.user)


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


def connect() -> None:
    from django.db.models.signals import post_init

    from tenants.models import Centre, Contact

    post_save.connect(_contact_changed, sender=Contact, dispatch_uid="pages_contact_saved")
    post_delete.connect(_contact_changed, sender=Contact, dispatch_uid="pages_contact_deleted")
    post_init.connect(_contact_loaded, sender=Contact, dispatch_uid="pages_contact_loaded")
    post_save.connect(_centre_saved, sender=Centre, dispatch_uid="pages_centre_saved")


connect()
