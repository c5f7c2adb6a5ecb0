"""Centre scoping for Wagtail admin viewsets, in one mechanism.

Wagtail's generic views check model-level permissions but fetch objects with
`get_object_or_404(model, pk=...)`. Rather than patch each of the dozen views
a snippet viewset has (edit, delete, inspect, history, usage, copy, revisions,
workflow …), every URL pattern of a scoped viewset is wrapped: if the URL
names an object outside the user's scoped queryset, the answer is 404 before
Wagtail's view runs. The listing, export and chooser use the same queryset.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.contrib.admin.utils import unquote
from django.http import Http404
from django.urls import URLPattern
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.snippets.views.chooser import (
    ChooseResultsView,
    ChooseView,
    SnippetChooserViewSet,
)
from wagtail.snippets.views.snippets import SnippetViewSet

Scope = Callable[[object], object]  # user -> QuerySet


def _wrap_patterns(patterns, scope: Scope):
    wrapped = []
    for pattern in patterns:
        if not isinstance(pattern, URLPattern):
            wrapped.append(pattern)
            continue
        view = pattern.callback

        @functools.wraps(view)
        def scoped_view(request, *args, _view=view, **kwargs):
            pk = kwargs.get("pk") or kwargs.get("object_id")
            if pk is not None and not scope(request.user).filter(pk=unquote(str(pk))).exists():
                raise Http404
            return _view(request, *args, **kwargs)

        wrapped.append(URLPattern(pattern.pattern, scoped_view, pattern.default_args, pattern.name))
    return wrapped


class _ScopedChooseMixin:
    def get_object_list(self):
        return self.scope(self.request.user)


def scoped_chooser_viewset_class(scope: Scope):
    class ScopedChooseView(_ScopedChooseMixin, ChooseView):
        pass

    class ScopedChooseResultsView(_ScopedChooseMixin, ChooseResultsView):
        pass

    ScopedChooseView.scope = staticmethod(scope)
    ScopedChooseResultsView.scope = staticmethod(scope)

    class ScopedChooserViewSet(SnippetChooserViewSet):
        choose_view_class = ScopedChooseView
        choose_results_view_class = ScopedChooseResultsView

        def get_urlpatterns(self):
            return _wrap_patterns(super().get_urlpatterns(), scope)

    return ScopedChooserViewSet


class ScopedSnippetViewSet(SnippetViewSet):
    """A SnippetViewSet whose every view answers only for `scope(user)`."""

    @staticmethod
    def scope(user):  # pragma: no cover - subclasses define it
        raise NotImplementedError

    def __init__(self, *args, **kwargs):
        self.chooser_viewset_class = scoped_chooser_viewset_class(self.scope)
        super().__init__(*args, **kwargs)

    def get_queryset(self, request):
        return self.scope(request.user)

    def get_urlpatterns(self):
        return _wrap_patterns(super().get_urlpatterns(), self.scope)


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
