"""The letter page in the admin, with its downloads and actions: the views
in notices/admin/letters.py and deliveries.py join this screen. It has no
menu entry of its own: the letters listing links to it."""

from portal.admin_menu import AdminScreen

letter_screen = AdminScreen("letters/", "notices_letters")
