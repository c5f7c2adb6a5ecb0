"""Beat schedules and the role permissions of the fire-safety app, and its
follow-up on letter deliveries."""

from django.db.models.signals import post_migrate
from django.dispatch import receiver

# What each role may do with the checklist snippet in the Wagtail admin. Which
# centre's items they reach is decided in selectors; these only open the screen.
FIRE_PERMISSIONS = {
    "operations": ["add_checklistitem", "change_checklistitem", "view_checklistitem"],
    "drafter": ["add_checklistitem", "change_checklistitem", "view_checklistitem"],
    "manager": ["add_checklistitem", "change_checklistitem", "view_checklistitem"],
    "leader": ["view_checklistitem"],
}


@receiver(post_migrate)
def fire_setup(sender, app_config=None, **kwargs):
    from django.apps import apps

    # portal.signals rebuilds the role groups after the last app's signal
    # (connected before ours, so it runs first); ours adds this app's
    # permissions on top, so they survive every migrate.
    with_models = [c for c in apps.get_app_configs() if c.models_module is not None]
    if app_config is None or app_config is not with_models[-1]:
        return
    from django.contrib.auth.models import Group, Permission

    from portal.roles import GROUP_NAMES

    for role, codenames in FIRE_PERMISSIONS.items():
        group = Group.objects.filter(name=GROUP_NAMES[role]).first()
        if group is not None:
            group.permissions.add(*Permission.objects.filter(content_type__app_label="fire", codename__in=codenames))


def _start_rectification_clocks(sender, letter_id: int, **kwargs):
    # A rectification letter reached its shop: the case's deadline starts now
    # (the 09:30 escalation sweep starts any this missed).
    from notices.fire.services.rectification import cases_letter_delivered

    cases_letter_delivered(letter_id=letter_id)


def connect_delivery_signal() -> None:
    from notices.services.delivery import deliveries_made

    deliveries_made.connect(_start_rectification_clocks, dispatch_uid="fire_start_rectification_clocks")
