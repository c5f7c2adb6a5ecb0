"""Centre scoping of Wagtail's own reports: the site history (log entries of
pages, snippets, documents and images), the workflow reports and the
page-types report, with their filters.

Wagtail offers no hook to filter these by object, so the few methods that
build their querysets are wrapped once, at startup (portal.wagtail_hooks):
every wrapper is marked so it is never applied twice. What a user may see is
the scope of each model (portal.admin_scoping.scope_for_model)."""

from __future__ import annotations

from wagtail.models import Page

from .admin_scoping import scope_for_model

# --- the site history report -----------------------------------------------------------


def scoped_log_entries(entries, user):
    """Wagtail's site history report (/admin/reports/site-history/) shows
    every log entry of a model the user holds any permission on. Here an entry
    is kept only for an object in the user's scope (snippets, pages, documents
    and images each have one); entries of any other model — collections,
    workflows, accounts — are the operator's, shown to superusers only."""
    if getattr(user, "is_superuser", False):
        return entries
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import CharField, Q
    from django.db.models.functions import Cast

    allowed = Q(pk__in=[])
    for model in apps.get_models():
        scope = scope_for_model(model)
        if scope is None:
            continue
        in_scope = scope(user).order_by().annotate(_pk_text=Cast("pk", CharField())).values("_pk_text")
        allowed |= Q(content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
                     object_id__in=in_scope)
    return entries.filter(allowed)


def scope_page_reports() -> None:
    """Wagtail's workflow reports and page-types report list what any page
    permission reaches: pages and letters in moderation, the last page edited
    of each type, whichever centre they belong to. No hook filters them, so
    their querysets are narrowed to the user's scope once, at startup."""
    from wagtail.admin.views.reports.page_types_usage import PageTypesUsageReportView
    from wagtail.admin.views.reports.workflows import WorkflowTasksView, WorkflowView

    for view, field in ((WorkflowView, "content_object"), (WorkflowTasksView, "workflow_state__content_object")):
        if getattr(view.get_queryset, "atrium_scoped", False):
            continue
        view.get_queryset = _scoped_states(view.get_queryset, field)
    from wagtail.admin.views.reports import workflows
    from wagtail.admin.views.reports.audit_logging import (
        SiteHistoryReportFilterSet,
        get_users_for_filter,
    )

    for filterset in (workflows.WorkflowReportFilterSet, workflows.WorkflowTasksReportFilterSet):
        requested_by = filterset.base_filters.get("requested_by")
        if requested_by is None:
            continue
        if not getattr(requested_by.queryset, "atrium_scoped", False):
            requested_by.queryset = _requesters_in_scope(workflows.get_requested_by_queryset)
    # The site history's "user" filter lists the authors of every entry the
    # report's base queryset holds, before any scoping; the authors of the
    # entries the user may see are what it should offer.
    SiteHistoryReportFilterSet.get_users_queryset = lambda self: get_users_for_filter(self.request.user)
    original = PageTypesUsageReportView.decorate_paginated_queryset
    if not getattr(original, "atrium_scoped", False):
        def decorate_paginated_queryset(self, page_types):
            page_types = original(self, page_types)
            scope = scope_for_model(Page)
            visible = set(scope(self.request.user).values_list("pk", flat=True)) if scope else set()
            for item in page_types:
                if item.last_edited_page is not None and item.last_edited_page.pk not in visible:
                    item.last_edited_page = None  # another centre's page: not named
            return page_types

        decorate_paginated_queryset.atrium_scoped = True
        PageTypesUsageReportView.decorate_paginated_queryset = decorate_paginated_queryset


def _requesters_in_scope(get_requesters):
    """The workflow reports' "requested by" choices: people of the user's
    centres only (the reports' rows are scoped; their names must be too)."""
    def requesters(request):
        users = get_requesters(request)
        if request is None or request.user.is_superuser:
            return users
        from django.db.models import Q

        from .access import centres_for

        centres = centres_for(request.user)
        return users.filter(
            Q(memberships__centre__in=centres)
            | Q(memberships__centre__isnull=True, memberships__operator__in=centres.values("operator"))
        ).distinct()

    requesters.atrium_scoped = True
    return requesters


def _scoped_states(get_queryset, field: str):
    def scoped(self):
        states = get_queryset(self)
        if self.request.user.is_superuser:
            return states
        # Workflow and task states point at their page or letter generically:
        # keep those whose object the user's scope holds.
        keep = [s.pk for s in states if _in_scope(self.request.user, _follow(s, field))]
        return states.filter(pk__in=keep)

    scoped.atrium_scoped = True
    return scoped


def _follow(obj, field: str):
    for part in field.split("__"):
        obj = getattr(obj, part, None) if obj is not None else None
    return obj


def _in_scope(user, obj) -> bool:
    if obj is None:
        return False
    scope = scope_for_model(type(obj))
    return scope is not None and scope(user).filter(pk=obj.pk).exists()


def _scope_page_log_entries(manager) -> None:
    # Page entries: Wagtail keeps those of pages the user can explore, which
    # with the portal's shared top pages can reach another centre's; the
    # report's "user" filter then names that centre's editors.
    unscoped = manager.viewable_by_user
    if getattr(unscoped, "atrium_scoped", False):
        return

    def viewable_by_user(self, user):
        entries = unscoped(self, user)
        scope = scope_for_model(Page)
        if getattr(user, "is_superuser", False) or scope is None:
            return entries
        return entries.filter(page__in=scope(user).values("pk"))

    viewable_by_user.atrium_scoped = True
    manager.viewable_by_user = viewable_by_user


def scope_model_log_entries() -> None:
    """Wagtail has no hook to filter log entries by object, so the log entry
    manager's `viewable_by_user` (which the report and its filters call) is
    wrapped once, at startup."""
    from wagtail.models.audit_log import ModelLogEntryManager
    from wagtail.models.pages import PageLogEntryManager

    _scope_page_log_entries(PageLogEntryManager)
    unscoped = ModelLogEntryManager.viewable_by_user
    if getattr(unscoped, "atrium_scoped", False):
        return

    def viewable_by_user(self, user):
        return scoped_log_entries(unscoped(self, user), user)

    viewable_by_user.atrium_scoped = True
    ModelLogEntryManager.viewable_by_user = viewable_by_user
