"""Centre scoping of Wagtail's own reports: the site history (log entries of
pages, snippets, documents and images), the workflow reports and the
page-types report, with their filters.

Wagtail offers no hook to filter these by object, so the few methods that
build their querysets are wrapped once, at startup (portal.wagtail_hooks,
portal.patching.wrap_once). What a user may see is the scope of each model
(portal.admin_scoping.scope_for_model); log entries and workflow states
point at their object generically (content type and id), so one filter,
`_objects_in_scope`, serves them all."""

from __future__ import annotations

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from wagtail.models import Page

from .access import centres_for, memberships_at
from .admin_scoping import scope_for_model
from .patching import wrap_once


def _objects_in_scope(user, *, type_field: str, id_field: str) -> Q:
    """Rows whose generic reference (`type_field`, `id_field`) names an object
    in `user`'s scope; a model without a scope matches nothing. Each scope is
    asked once, however many models share it (every page type shares Page's):
    one condition per scope, over all of its models' content types, rather
    than one per model — the site history's queries carried the pages'
    subquery nine times, and each request runs four of them."""
    content_types: dict = {}
    for model in apps.get_models():
        scope = scope_for_model(model)
        if scope is not None:
            content_types.setdefault(scope, []).append(ContentType.objects.get_for_model(model, for_concrete_model=False))
    allowed = Q(pk__in=[])
    for scope, types in content_types.items():
        in_scope = scope(user).order_by().annotate(_pk_text=Cast("pk", CharField())).values("_pk_text")
        allowed |= Q(**{f"{type_field}__in": types, f"{id_field}__in": in_scope})
    return allowed


# --- the site history report -----------------------------------------------------------


def scope_model_log_entries() -> None:
    """The site history report (/admin/reports/site-history/) shows every log
    entry of a model the user holds any permission on. Here an entry is kept
    only for an object in the user's scope (snippets, documents and images
    each have one); entries of any other model — collections, workflows,
    accounts — are the operator's, shown to superusers only. Page entries keep
    to the user's pages (Wagtail keeps those the user can explore, which with
    the portal's shared top pages reach another centre's)."""
    from wagtail.admin.views.reports.audit_logging import (
        SiteHistoryReportFilterSet,
        get_users_for_filter,
    )
    from wagtail.models.audit_log import ModelLogEntryManager
    from wagtail.models.pages import PageLogEntryManager

    def model_entries(unscoped):
        def viewable_by_user(self, user):
            entries = unscoped(self, user)
            if getattr(user, "is_superuser", False):
                return entries
            return entries.filter(_objects_in_scope(user, type_field="content_type", id_field="object_id"))
        return viewable_by_user

    def page_entries(unscoped):
        def viewable_by_user(self, user):
            entries = unscoped(self, user)
            scope = scope_for_model(Page)
            if getattr(user, "is_superuser", False) or scope is None:
                return entries
            return entries.filter(page__in=scope(user).values("pk"))
        return viewable_by_user

    wrap_once(ModelLogEntryManager, "viewable_by_user", model_entries)
    wrap_once(PageLogEntryManager, "viewable_by_user", page_entries)
    # The report's "user" filter lists the authors of every entry of its base
    # queryset, before any scoping; it should offer the authors of the entries
    # the user may see.
    wrap_once(SiteHistoryReportFilterSet, "get_users_queryset",
              lambda _unscoped: lambda self: get_users_for_filter(self.request.user))


# --- the workflow and page-types reports -----------------------------------------------


def scope_page_reports() -> None:
    """The workflow reports and the page-types report list what any page
    permission reaches: pages and letters in moderation, the last page edited
    of each type, whichever centre they belong to."""
    from wagtail.admin.views.reports import workflows
    from wagtail.admin.views.reports.page_types_usage import PageTypesUsageReportView

    for view, prefix in ((workflows.WorkflowView, ""), (workflows.WorkflowTasksView, "workflow_state__")):
        wrap_once(view, "get_queryset", _states_in_scope(prefix))
    for filterset in (workflows.WorkflowReportFilterSet, workflows.WorkflowTasksReportFilterSet):
        if "requested_by" in filterset.base_filters:
            wrap_once(filterset.base_filters["requested_by"], "queryset", _requesters_in_scope)
    wrap_once(PageTypesUsageReportView, "decorate_paginated_queryset", _last_edited_in_scope)


def _states_in_scope(prefix: str):
    # Workflow and task states point at their page or letter generically, by
    # the object's base content type (Page for every page type) and id.
    def wrap(get_queryset):
        def scoped(self):
            states = get_queryset(self)
            if self.request.user.is_superuser:
                return states
            return states.filter(_objects_in_scope(self.request.user, type_field=f"{prefix}base_content_type",
                                                   id_field=f"{prefix}object_id"))
        return scoped
    return wrap


def _requesters_in_scope(get_requesters):
    """The workflow reports' "requested by" choices: people of the user's
    centres only (the reports' rows are scoped; their names must be too)."""
    def requesters(request):
        users = get_requesters(request)
        if request is None or request.user.is_superuser:
            return users
        return users.filter(pk__in=memberships_at(centres_for(request.user)).values("user"))
    return requesters


def _last_edited_in_scope(decorate):
    def decorate_paginated_queryset(self, page_types):
        page_types = decorate(self, page_types)
        scope = scope_for_model(Page)
        visible = set(scope(self.request.user).values_list("pk", flat=True)) if scope else set()
        for item in page_types:
            if item.last_edited_page is not None and item.last_edited_page.pk not in visible:
                item.last_edited_page = None  # another centre's page: not named
        return page_types
    return decorate_paginated_queryset
