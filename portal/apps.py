from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from . import signals  # noqa: F401
        from .admin_i18n import install_lazy_chooser_texts, install_page_search_count
        from .local_names import install_local_names
        from .pages import signals as _pages_signals  # noqa: F401
        from .spreadsheets import install_wagtail_export_escaping

        install_wagtail_export_escaping()
        install_local_names()
        install_lazy_chooser_texts()
        install_page_search_count()
