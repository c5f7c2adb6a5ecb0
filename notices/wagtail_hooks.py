"""Letters, the letter template and the seal-use register in the Wagtail admin."""

from django.urls import path
from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from notices.admin import deliveries as admin_deliveries
from notices.admin import letters as admin_views
from notices.admin.viewsets import (
    LettersGroup,
    ReadOnlyPermissionPolicy,
    letter_page_button,
    letters_are_decided_on_their_page,
)
from notices.admin.work_items import letter_work_items
from notices.models import SealUse
from portal.admin_menu import register_admin_screen

register_permission_policy(SealUse, ReadOnlyPermissionPolicy(SealUse), exact_class=True)
register_snippet(LettersGroup)

# The letter page and its downloads and actions (no menu entry of their own:
# the letters listing links to them).
register_admin_screen("letters/", "notices_letters", [
    path("<int:pk>/", admin_views.letter_detail, name="detail"),
    path("<int:pk>/pdf/", admin_views.letter_pdf, name="pdf"),
    path("<int:pk>/attachments/<int:attachment_pk>/", admin_views.letter_attachment, name="attachment"),
    path("<int:pk>/retry/", admin_views.letter_retry, name="retry"),
    path("<int:pk>/decide/", admin_views.letter_decide_view, name="decide"),
    path("<int:pk>/deliveries.xlsx", admin_deliveries.letter_deliveries_xlsx, name="deliveries_xlsx"),
    path("<int:pk>/remind/", admin_deliveries.letter_remind_now_view, name="remind"),
    path("<int:pk>/receipts.zip", admin_deliveries.letter_receipts_zip, name="receipts_zip"),
    path("<int:pk>/paper/<int:delivery_pk>/", admin_deliveries.paper_receipt, name="paper"),
    path("receipts/<int:receipt_pk>/certificate/", admin_deliveries.receipt_certificate, name="receipt_certificate"),
    path("receipts/<int:receipt_pk>/scan/", admin_deliveries.receipt_scan, name="receipt_scan"),
])

hooks.register("register_snippet_listing_buttons", letter_page_button)
hooks.register("construct_snippet_action_menu", letters_are_decided_on_their_page)
hooks.register("atrium_work_items", letter_work_items)
