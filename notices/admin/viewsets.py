"""The letters, the letter template and the seal-use register as snippet
viewsets, and the letter's place in the snippet listing and editor."""

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
)
from wagtail.admin.ui.tables import DateColumn
from wagtail.admin.widgets import ListingButton
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.snippets.action_menu import CancelWorkflowMenuItem, WorkflowMenuItem
from wagtail.snippets.views.snippets import (
    CopyView,
    CreateView,
    EditView,
    SnippetViewSetGroup,
)

from notices.admin.filters import LetterFilterSet
from notices.admin.letters import LetterWorkflowAction
from notices.admin.recipient_choosers import TenantsChooser
from notices.forms import AttachmentFileInput, LetterForm, LetterTemplateForm
from notices.models import Letter, LetterStatus, LetterTemplate, SealUse
from notices.selectors import TEMPLATE_ROLES, letters_listing_for, seal_uses_visible_to
from portal.access import centres_for
from portal.admin_columns import YesNoColumn
from portal.admin_scoping import ScopedSnippetViewSet

EDITABLE = (LetterStatus.DRAFT, LetterStatus.IN_APPROVAL)


def may_withdraw(letter, user) -> bool:
    """Only the drafter withdraws their letter from approval. Wagtail lets any
    approver of the current step cancel the workflow, which would let a leader
    silently drop a letter instead of returning it with a comment."""
    return letter is not None and letter.drafter_id is not None and letter.drafter_id == user.pk


class NoAutosaveUntilCreated:
    """A letter comes into existence once, when the drafter presses a save
    button. Wagtail's autosave would create it from the add page while the
    drafter types, then switch the form over to the new letter's edit page;
    a click on "保存草稿" while an autosave request is still on its way (or
    a page re-rendered with an error, which points at the add page again)
    posts to the add page a second time: two identical drafts, or a letter
    half-saved behind a refusal. Reusing the autosaved letter would mean
    trusting an id from the browser; not autosaving before the letter exists
    is simpler and loses nothing, since autosave resumes on the edit page,
    where every save lands on the same letter."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.autosave_enabled = False

    def post(self, request, *args, **kwargs):
        # An autosave request from a page rendered before this change (or a
        # script) would still create a letter: only a person's submit does.
        if self.expects_json_response:
            return self.json_error_response("autosave_disabled", _("Save the letter with a button first."))
        return super().post(request, *args, **kwargs)


class LetterCreateView(NoAutosaveUntilCreated, CreateView):
    pass


class LetterCopyView(NoAutosaveUntilCreated, CopyView):
    pass


class LetterEditView(EditView):
    """Once approved, a letter is fixed: the editor sends people to its page."""

    def dispatch(self, request, *args, **kwargs):
        letter = Letter.objects.filter(pk=kwargs.get("pk")).only("status").first()
        if letter is not None and letter.status not in EDITABLE:
            return redirect("notices_letters:detail", pk=letter.pk)
        return super().dispatch(request, *args, **kwargs)

    def get_available_actions(self):
        actions = super().get_available_actions()
        if not may_withdraw(self.object, self.request.user):
            actions = [a for a in actions if a not in ("cancel-workflow", "restart-workflow")]
        return actions


class LetterViewSet(ScopedSnippetViewSet):
    model = Letter
    icon = "doc-full"
    menu_label = _("Letters")
    add_view_class = LetterCreateView
    copy_view_class = LetterCopyView
    edit_view_class = LetterEditView
    workflow_action_view_class = LetterWorkflowAction
    inspect_view_enabled = False
    list_display = ["title", "doc_number", "centre", "kind", "status", "delivery_state", "drafter",
                    # The field has no verbose name (its migration predates it): Wagtail would say "Created at".
                    DateColumn("created_at", label=_("drafted at"), sort_key="created_at")]
    filterset_class = LetterFilterSet
    list_export = ["doc_number", "title", "centre", "kind", "status", "drafter", "stamped_at", "pdf_sha256"]
    export_filename = "letters"
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("centre"), FieldPanel("kind"), FieldPanel("department")]),
            FieldPanel("title"),
            FieldPanel("addressee"),
            FieldPanel("body"),
            InlinePanel("attachments", label=_("Attachments"),
                        panels=[FieldPanel("title"), FieldPanel("file", widget=AttachmentFileInput)]),
            FieldRowPanel([FieldPanel("copy_to"), FieldPanel("printed_by")], heading=_("Colophon")),
            MultiFieldPanel(
                [
                    FieldPanel("recipient_mode"),
                    FieldPanel("recipient_tiers"),
                    FieldPanel("recipient_floors"),
                    FieldPanel("recipient_units"),
                    FieldPanel("recipient_categories"),
                    # A searchable chooser of the letter's centre's tenants.
                    FieldPanel("recipient_tenants", widget=TenantsChooser),
                ],
                heading=_("Recipients"),
            ),
            FieldRowPanel([FieldPanel("requires_receipt"), FieldPanel("sign_by")]),
            FieldRowPanel([FieldPanel("remind_after_days"), FieldPanel("remind_every_days"), FieldPanel("remind_max")],
                          heading=_("Reminders to tenants who have not signed")),
        ],
        base_form_class=LetterForm,
    )

    @staticmethod
    def scope(user):
        return letters_listing_for(user).select_related("centre", "drafter")


def _templates_for(user):
    return LetterTemplate.objects.filter(centre__in=centres_for(user, TEMPLATE_ROLES))


class LetterTemplateViewSet(ScopedSnippetViewSet):
    model = LetterTemplate
    icon = "form"
    menu_label = _("Letter template")
    list_display = ["centre", "letterhead_title", "number_pattern", YesNoColumn("has_seal", label=_("seal set up"))]
    edit_handler = ObjectList(
        [
            FieldPanel("centre"),
            FieldPanel("letterhead_title"),
            FieldRowPanel([FieldPanel("number_pattern"), FieldPanel("signatory_name")]),
            FieldPanel("footer_text"),
            FieldPanel("timestamp_url"),
            MultiFieldPanel(
                [FieldPanel("seal_upload"), FieldPanel("logo_upload"), FieldPanel("certificate_upload"), FieldPanel("key_upload")],
                heading=_("Seal and certificate"),
            ),
        ],
        base_form_class=LetterTemplateForm,
    )

    @staticmethod
    def scope(user):
        return _templates_for(user).select_related("centre")


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    """The seal-use register is written by the stamping task alone: nobody,
    a superuser included, adds, changes or deletes a row from the admin.
    (The listing offered a superuser an "add" button whose URL does not
    exist, a NoReverseMatch.)"""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission([a for a in actions if a == "view"])


class SealUseViewSet(ScopedSnippetViewSet):
    model = SealUse
    icon = "tick-inverse"
    menu_label = _("Seal-use register")
    add_view_enabled = False
    inspect_view_enabled = False
    list_display = ["used_at", "doc_number", "title", "centre", "applicant", "leader", "keeper"]
    list_export = ["used_at", "doc_number", "title", "centre", "applicant", "leader", "leader_approved_at", "keeper",
                   "keeper_approved_at", "pdf_sha256"]
    export_filename = "seal-use-register"

    @staticmethod
    def scope(user):
        return seal_uses_visible_to(user).select_related("centre", "applicant", "leader", "keeper")

    def get_urlpatterns(self):
        # The register is read-only: only the listing (and its export) exists.
        return [p for p in super().get_urlpatterns() if p.name in ("list", "list_results")]


class LettersGroup(SnippetViewSetGroup):
    menu_label = _("Official letters")
    menu_icon = "doc-full-inverse"
    menu_order = 200
    items = (LetterViewSet, SealUseViewSet, LetterTemplateViewSet)


def letter_page_button(snippet, user, next_url=None):
    if isinstance(snippet, Letter):
        yield ListingButton(_("Letter page"), reverse("notices_letters:detail", args=[snippet.pk]), priority=5)


def letters_are_decided_on_their_page(menu_items, request, context):
    # The editor's workflow buttons save the form before acting; letters in
    # approval are locked, so decisions are taken on the letter page instead.
    if context.get("model") is Letter:
        hidden = (WorkflowMenuItem,) if may_withdraw(context.get("instance"), request.user) else (
            WorkflowMenuItem, CancelWorkflowMenuItem)
        menu_items[:] = [item for item in menu_items if not isinstance(item, hidden)]
