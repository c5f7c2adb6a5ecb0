from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from .import_time_labels import install_import_time_labels

        install_import_time_labels()  # first: before any other import reaches those modules
        from . import signals  # noqa: F401
        from .admin_i18n import (
            install_cron_descriptions,
            install_lazy_chooser_texts,
            install_page_search_count,
        )
        from .library_names import install_library_names
        from .local_names import install_local_names
        from .pages import signals as _pages_signals  # noqa: F401
        from .permission_names import install_permission_names
        from .spreadsheets import install_wagtail_export_escaping

        install_wagtail_export_escaping()
        install_local_names()
        install_lazy_chooser_texts()
        install_page_search_count()
        install_library_names()
        install_permission_names()
        install_cron_descriptions()
