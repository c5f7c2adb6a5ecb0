"""Letters, the letter template and the seal-use register in the Wagtail admin."""

from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

# The views of the letter page join letter_screen as their modules load.
from notices.admin import deliveries, letters, receipts_zip  # noqa: F401
from notices.admin.letter_screen import letter_screen
from notices.admin.recipient_choosers import (
    tenant_recipient_chooser,
    unit_recipient_chooser,
)
from notices.admin.viewsets import (
    LettersGroup,
    ReadOnlyPermissionPolicy,
    letter_page_button,
    letters_are_decided_on_their_page,
)
from notices.admin.work_items import letter_work_items
from notices.models import SealUse
from portal.admin_menu import register_screen

register_permission_policy(SealUse, ReadOnlyPermissionPolicy(SealUse), exact_class=True)
register_snippet(LettersGroup)

register_screen(letter_screen)

hooks.register("register_admin_viewset", lambda: [tenant_recipient_chooser, unit_recipient_chooser])
hooks.register("register_snippet_listing_buttons", letter_page_button)
hooks.register("construct_snippet_action_menu", letters_are_decided_on_their_page)
hooks.register("atrium_work_items", letter_work_items)
