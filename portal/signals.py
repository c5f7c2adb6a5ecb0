from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver

from .models.accounts import StaffMembership, User
from .models.organisation import Centre
from .request_memo import forget


@receiver(post_migrate)
def create_role_groups(sender, app_config=None, **kwargs):
    # Django creates each app's permissions in its own post_migrate signal, so
    # the groups can only be complete after the last app's signal.
    from django.apps import apps

    with_models = [c for c in apps.get_app_configs() if c.models_module is not None]
    if app_config is not None and app_config is with_models[-1]:
        from .roles import sync_role_groups
        from .scheduling import schedule_sync

        sync_role_groups()
        # The whole beat schedule (every app's periodic tasks), from one list.
        schedule_sync()


# Memberships change from the admin, services and the shell alike; the groups
# must follow whichever way the row changed.
@receiver(post_save, sender=StaffMembership)
@receiver(post_delete, sender=StaffMembership)
def membership_changed(sender, instance, **kwargs):
    from .roles import sync_user_groups

    sync_user_groups(instance.user)


# Who reaches which centre is remembered for the rest of a request
# (portal.request_memo); a request that changes it forgets, so that what it
# does next sees the change.
@receiver(post_save, sender=StaffMembership)
@receiver(post_delete, sender=StaffMembership)
@receiver(post_save, sender=Centre)
@receiver(post_delete, sender=Centre)
@receiver(post_save, sender=User)
def reach_changed(sender, **kwargs):
    forget()
