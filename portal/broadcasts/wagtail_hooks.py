from wagtail import hooks

from portal.admin_menu import register_screen

from .admin_views import alert_screen, greeting_screen, greeting_work_items

register_screen(alert_screen)
register_screen(greeting_screen)
hooks.register("atrium_work_items", greeting_work_items)
