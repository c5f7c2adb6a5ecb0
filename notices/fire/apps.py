from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FireConfig(AppConfig):
    """The monthly fire-safety cycle (4.8.1): checklists, inspection rounds,
    forms per tenant, the report, rectification cases and their letters."""

    name = "notices.fire"
    label = "fire"
    verbose_name = _("Fire safety")

    def ready(self):
        from notices.fire import signals

        signals.connect_delivery_signal()
