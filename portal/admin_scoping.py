"""Centre scoping for Wagtail admin viewsets, in one mechanism.

Wagtail's generic views check model-level permissions ("may view tenants")
but fetch objects with `get_object_or_404(model, pk=...)` or
`model.objects.filter(pk__in=request.GET.getlist("id"))`: nothing there
knows about centres. Rather than patch each of the dozen views a snippet
viewset has (edit, delete, inspect, history, usage, revisions, workflow …)
and the five of its chooser (choose, results, chosen, chosen-multiple,
create), every URL pattern of a scoped viewset is guarded: if the URL names
an object outside the user's scope (a `pk`/`object_id` in the path or an
`id` in the query string), the answer is 404 before Wagtail's view runs. The
listing, export and chooser list the same queryset, and the chooser views
also fetch through it, so a view that forgot the guard still finds nothing.

Every registered viewset must go through this: `assert_viewsets_scoped`
(run when the admin URLs are built, by `refuse_unscoped_viewsets`, which
portal/wagtail_hooks.py registers) refuses to start the site while a
viewset is neither a `ScopedSnippetViewSet` nor declared unscoped with a
reason (`unscoped_reason`, or the table of Wagtail's own viewsets below)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

from django.contrib.admin.utils import unquote
from django.core.exceptions import (
    ImproperlyConfigured,
    PermissionDenied,
    ValidationError,
)
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, URLResolver, reverse
from django.utils.functional import cached_property
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.snippets.views.chooser import (
    ChooseResultsView,
    ChooseView,
    SnippetChooserViewSet,
    SnippetChosenMultipleView,
    SnippetChosenView,
    SnippetCreateView,
)
from wagtail.snippets.views.snippets import InspectView, SnippetViewSet

from portal.admin_exports import ReadableIndexView, ReadableListingMixin
from portal.admin_i18n import LazyBreadcrumbsMixin
from portal.audit import audit_record

Scope = Callable[[object], object]  # user -> QuerySet


# --- the guard ------------------------------------------------------------------------


def requested_ids(request, kwargs) -> list[str]:
    """The object ids a request names: in the path, or as `?id=` (choosers,
    bulk actions)."""
    ids = [kwargs[k] for k in ("pk", "object_id") if kwargs.get(k) is not None]
    ids += request.GET.getlist("id")
    return [unquote(str(i)) for i in ids]


def all_in_scope(queryset, ids: Iterable[str]) -> bool:
    """True when every id names an object of `queryset`. A malformed id is
    an object that does not exist, not an error."""
    pk_field = queryset.model._meta.pk
    try:
        wanted = {pk_field.to_python(i) for i in ids}
    except ValidationError:
        return False
    return queryset.filter(pk__in=wanted).count() == len(wanted)


def guard_view(view, scope: Scope):
    @functools.wraps(view)
    def scoped_view(request, *args, **kwargs):
        ids = requested_ids(request, kwargs)
        if ids and not all_in_scope(scope(request.user), ids):
            raise Http404
        return view(request, *args, **kwargs)

    return scoped_view


def guard_patterns(patterns, scope: Scope) -> list:
    guarded = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            guarded.append(URLResolver(pattern.pattern, guard_patterns(pattern.url_patterns, scope),
                                       pattern.default_kwargs, pattern.app_name, pattern.namespace))
        else:
            guarded.append(URLPattern(pattern.pattern, guard_view(pattern.callback, scope), pattern.default_args,
                                      pattern.name))
    return guarded


# --- the chooser ----------------------------------------------------------------------


class _ScopedListMixin:
    scope = None

    def get_object_list(self):
        return self.scope(self.request.user)


class ScopedChooseView(_ScopedListMixin, ChooseView):
    pass


class ScopedChooseResultsView(_ScopedListMixin, ChooseResultsView):
    pass


class ScopedChosenView(SnippetChosenView):
    scope = None

    def get_object(self, pk):
        return self.scope(self.request.user).get(pk=pk)


class ScopedChosenMultipleView(SnippetChosenMultipleView):
    scope = None

    def get_objects(self, pks):
        return self.scope(self.request.user).filter(pk__in=pks)


class ScopedCreateView(SnippetCreateView):
    """Creating from the chooser modal. Our snippets configure no creation
    form (records are made on their own add page, with their services), so
    the view answers 404; a viewset that does configure one gets its new
    object kept only if it falls inside the user's scope."""

    scope = None

    def dispatch(self, request, *args, **kwargs):
        if self.get_creation_form_class() is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def save_form(self, form):
        with transaction.atomic():
            obj = form.save()
            if not self.scope(self.request.user).filter(pk=obj.pk).exists():
                raise PermissionDenied  # rolls the save back
        return obj


class ScopedChooserViewSet(SnippetChooserViewSet):
    choose_view_class = ScopedChooseView
    choose_results_view_class = ScopedChooseResultsView
    chosen_view_class = ScopedChosenView
    chosen_multiple_view_class = ScopedChosenMultipleView
    create_view_class = ScopedCreateView
    scope: Scope | None = None  # given by the snippet viewset

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(scope=self.scope, **kwargs)

    def get_urlpatterns(self):
        return guard_patterns(super().get_urlpatterns(), self.scope)


# --- the snippet viewset --------------------------------------------------------------


class ScopedSnippetViewSet(LazyBreadcrumbsMixin, ReadableListingMixin, SnippetViewSet):
    """A SnippetViewSet whose every view, chooser included, answers only for
    `scope(user)`, and whose listing and its downloads read as staff expect
    (portal.admin_exports.ReadableListingMixin)."""

    chooser_viewset_class = ScopedChooserViewSet
    # Our records are letters, tenants, requests, settings of a centre: none
    # is made by copying another (a copied letter or request would be a
    # second record of one event), so no scoped viewset offers "copy".
    copy_view_enabled = False
    # Requests, tenants, contacts, the storage log: five to eight columns,
    # wider than a phone, which Wagtail's content area cuts off. Each listing
    # scrolls inside its own box there (portal/static/portal/admin.css).
    index_results_template_name = "portal/admin/scrolling_index_results.html"

    @staticmethod
    def scope(user):  # pragma: no cover - subclasses define it
        raise NotImplementedError

    @property
    def chooser_viewset(self):
        return self.chooser_viewset_class(
            self.get_chooser_admin_url_namespace(),
            model=self.model,
            url_prefix=self.get_chooser_admin_base_path(),
            icon=self.icon,
            per_page=self.chooser_per_page,
            scope=self.scope,
        )

    def get_queryset(self, request):
        return self.scope(request.user)

    def get_urlpatterns(self):
        return guard_patterns(super().get_urlpatterns(), self.scope)


_MODEL_SCOPES: dict[type, Scope] = {}


def register_model_scope(model, scope: Scope) -> None:
    """The scope of a model that no snippet viewset of ours shows (Wagtail's
    pages, documents, images), for the bulk actions and the history report."""
    _MODEL_SCOPES[model] = scope


def scope_for_model(model) -> Scope | None:
    """The scope of a snippet model's viewset, or the one registered for the
    model (None if it has none)."""
    viewset = getattr(model, "snippet_viewset", None)
    if isinstance(viewset, ScopedSnippetViewSet):
        return viewset.scope
    return next((_MODEL_SCOPES[cls] for cls in model.__mro__ if cls in _MODEL_SCOPES), None)


# --- every viewset goes through it ----------------------------------------------------

# Wagtail's own viewsets, and why each needs no centre scope of ours.
WAGTAIL_VIEWSETS = {
    "wagtail.admin.viewsets.pages.PageViewSet":
        "pages: Wagtail page permissions per centre subtree (portal.pages.site) and the page chooser and move "
        "hooks in portal.pages.admin_scoping",
    "wagtail.sites.views.SiteViewSet": "sites: wagtailcore site permissions, which no role group holds",
    "wagtail.users.views.users.UserViewSet": "users: auth user permissions, which no role group holds",
    "wagtail.users.views.groups.GroupViewSet": "groups: auth group permissions, which no role group holds",
    "wagtail.documents.views.chooser.DocumentChooserViewSet":
        "documents: collection permissions per centre and construct_document_chooser_queryset",
    "wagtail.images.views.chooser.ImageChooserViewSet":
        "images: collection permissions per centre and construct_image_chooser_queryset",
}


def _dotted(viewset) -> str:
    cls = type(viewset)
    return f"{cls.__module__}.{cls.__qualname__}"


def unscoped_viewsets(registered) -> list[str]:
    """The registered viewsets that nothing scopes and nobody explained."""
    problems = []
    for viewset in registered:
        if isinstance(viewset, ScopedSnippetViewSet | ScopedChooserViewSet):
            if viewset.scope is None or getattr(viewset.scope, "__func__", viewset.scope) is ScopedSnippetViewSet.scope:
                problems.append(f"{_dotted(viewset)} ({viewset.name}) defines no scope")
            continue
        if getattr(viewset, "unscoped_reason", "") or _dotted(viewset) in WAGTAIL_VIEWSETS:
            continue
        problems.append(
            f"{_dotted(viewset)} ({getattr(viewset, 'name', '')}) is not scoped to centres: make it a "
            "portal.admin_scoping.ScopedSnippetViewSet, or set unscoped_reason = '<why>'"
        )
    return problems


def assert_viewsets_scoped(registered) -> None:
    problems = unscoped_viewsets(registered)
    if problems:
        raise ImproperlyConfigured("Unscoped admin viewsets:\n" + "\n".join(problems))


def refuse_unscoped_viewsets() -> list:
    """A `register_admin_urls` hook, registered to run after Wagtail's own
    (order=100) has registered every viewset: the site does not start with
    an unscoped one. It adds no URL."""
    from wagtail.admin.viewsets import viewsets

    assert_viewsets_scoped(viewsets.viewsets)
    return []


# --- bulk actions ---------------------------------------------------------------------


class ScopedBulkActionMixin:
    """Wagtail's bulk actions (/admin/bulk/<app>/<model>/<action>/?id=…)
    list the objects they are given by title, even those the user may not
    act on: only ids in the model's scope are accepted, and "all" means all
    of the scope."""

    def dispatch(self, request, *args, **kwargs):
        scope = scope_for_model(self.model)
        ids = [i for i in request.GET.getlist("id") if i != "all"]
        if scope is not None and ids and not all_in_scope(scope(request.user), ids):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_all_objects_in_listing_query(self, parent_id):
        ids = super().get_all_objects_in_listing_query(parent_id)
        scope = scope_for_model(self.model)
        if scope is None:
            return ids
        # Wagtail's listing query may be search results rather than a queryset.
        allowed = set(scope(self.request.user).values_list("pk", flat=True))
        return [pk for pk in ids if pk in allowed]


def scoped_bulk_actions(*action_classes) -> list[type]:
    """Scoped versions of Wagtail's bulk actions, to register with
    `hooks.register("register_bulk_action", cls, order=100)`: for the same
    model and action the one registered later replaces Wagtail's."""
    return [
        type(f"Scoped{cls.__name__}", (ScopedBulkActionMixin, cls), {"__module__": cls.__module__})
        for cls in action_classes
    ]


def scoped_wagtail_bulk_actions() -> list[type]:
    """Every bulk action Wagtail ships, scoped."""
    from wagtail.admin.views.pages import bulk_actions as pages
    from wagtail.documents.views import bulk_actions as documents
    from wagtail.images.views import bulk_actions as images
    from wagtail.snippets.bulk_actions.delete import DeleteBulkAction

    return scoped_bulk_actions(
        DeleteBulkAction,
        pages.DeleteBulkAction, pages.MoveBulkAction, pages.PublishBulkAction, pages.UnpublishBulkAction,
        documents.AddTagsBulkAction, documents.AddToCollectionBulkAction, documents.DeleteBulkAction,
        images.AddTagsBulkAction, images.AddToCollectionBulkAction, images.DeleteBulkAction,
    )


# --- listings whose rows open the inspect page -----------------------------------------


class InspectRowsIndexView(ReadableIndexView):
    """A listing whose rows open the record's page: such records (a request,
    a storage entry) change through their own actions, never an edit form."""

    def get_edit_url(self, instance):
        return reverse(self.inspect_url_name, args=[instance.pk])

    def more_header_buttons(self) -> list:
        """Buttons after Wagtail's own in the listing's header (a record
        form, an export): subclasses name theirs here."""
        return []

    @cached_property
    def header_buttons(self):
        return [*super().header_buttons, *self.more_header_buttons()]


class ScopedInspectView(InspectView):
    """The record's page, fetched through the app's selector (the listing's
    scope) with the relations the page shows, and its opening audited.
    Subclasses set `visible_to` (a staticmethod: user -> queryset),
    `related` and `audit_action` (e.g. "request.viewed")."""

    related: tuple[str, ...] = ()
    audit_action = ""

    @staticmethod
    def visible_to(user):  # pragma: no cover - subclasses define it
        raise NotImplementedError

    def get_object(self, queryset=None):
        return get_object_or_404(self.visible_to(self.request.user).select_related(*self.related), pk=self.pk)

    def audit_details(self) -> dict | None:
        """What the audit event adds (e.g. whether confidential values showed)."""
        return None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.audit_action:
            audit_record(actor=self.request.user, action=self.audit_action, obj=self.object, request=self.request,
                         details=self.audit_details())
        return context


# --- forms ----------------------------------------------------------------------------


class ScopedAdminForm(WagtailAdminModelForm):
    """Limits foreign-key choices to what the editing user may reach.

    Subclasses name `scoped_fields = {"field": callable(user) -> queryset}`."""

    scoped_fields: dict[str, Scope] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        for name, scope in self.scoped_fields.items():
            if name in self.fields:
                self.fields[name].queryset = scope(user)

