"""Admin and serving hooks of the published site (imported by portal/wagtail_hooks.py).

Wagtail's permissions keep editors to their centre's subtree and collection,
but several admin views answer any admin user for any object: the scoping
hooks below narrow each of them to portal.pages.scoping's selectors."""

from wagtail import hooks
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page

from portal.admin_menu import register_screen
from portal.admin_scoping import register_model_scope

from . import admin_views, fee_notice_views
from .cache import public_pages_from_cache
from .one_decision import decide_pages_once
from .privacy import draft_audience
from .scoping import (
    documents_of_my_centres,
    documents_visible_to,
    images_of_my_centres,
    images_visible_to,
    move_only_what_may_be_moved,
    pages_of_my_centres,
    pages_visible_to_staff,
    scope_page_chosen_multiple,
    scoped_admin_api,
)
from .self_approval import (
    hide_own_publish,
    refuse_own_publish_on_edit,
    refuse_publish_on_create,
    refuse_self_approval,
    restart_step_on_a_saved_draft,
)
from .serving import documents_for_staff_only, refuse_signed_in_readers

hooks.register("on_serve_page", public_pages_from_cache, order=-20)
hooks.register("on_serve_page", refuse_signed_in_readers, order=-10)
hooks.register("before_serve_document", documents_for_staff_only)

hooks.register("construct_document_chooser_queryset", documents_of_my_centres)
hooks.register("construct_image_chooser_queryset", images_of_my_centres)
hooks.register("construct_page_chooser_queryset", pages_of_my_centres)
hooks.register("before_move_page", move_only_what_may_be_moved)
hooks.register("construct_admin_api", scoped_admin_api, order=100)

register_model_scope(Page, pages_visible_to_staff)
register_model_scope(get_document_model(), documents_visible_to)
register_model_scope(get_image_model(), images_visible_to)
scope_page_chosen_multiple()

hooks.register("after_create_page", draft_audience)
hooks.register("after_edit_page", draft_audience)
hooks.register("after_edit_page", restart_step_on_a_saved_draft)
hooks.register("before_edit_page", refuse_own_publish_on_edit)
hooks.register("before_create_page", refuse_publish_on_create)
hooks.register("construct_page_action_menu", hide_own_publish)
refuse_self_approval()
decide_pages_once()

register_screen(admin_views.screen)
register_screen(fee_notice_views.screen)
