from portal.admin_menu import register_screen

from .admin_views import alert_screen, greeting_screen

register_screen(alert_screen)
register_screen(greeting_screen)
