"""Keeping the tenant search index current without paying for it per row.

Wagtail re-indexes a model on every save (through its immediate task
backend, inside the request). A 5,000-row import would index 5,000 times,
and a dry run would index rows that are then rolled back. Tenant therefore
opts out of the automatic handler (`search_auto_update = False`) and these
handlers do the same job, except while an import has suspended them; the
import re-indexes its rows once, after commit, in a Celery task."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar

_suspended: ContextVar[bool] = ContextVar("tenant_index_suspended", default=False)


@contextmanager
def index_updates_suspended():
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)


def on_tenant_saved(sender, instance, raw=False, **kwargs):
    if raw or _suspended.get():
        return
    from modelsearch.tasks import insert_or_update_object_task

    insert_or_update_object_task.enqueue(instance._meta.app_label, instance._meta.model_name, str(instance.pk))


def on_tenant_deleted(sender, instance, **kwargs):
    from modelsearch import index

    index.remove_object(instance)


def reindex(model_label: str, ids: Iterable[int]) -> int:
    """Search index (tenants) and Wagtail's reference index (usage counts)
    for rows written by an import. Safe to run twice."""
    from django.apps import apps
    from modelsearch.backends import get_search_backends
    from wagtail.models import ReferenceIndex

    from tenants.models import Tenant

    model = apps.get_model(model_label)
    ids = list(ids)
    done = 0
    for start in range(0, len(ids), 500):
        chunk = list(model.objects.filter(pk__in=ids[start:start + 500]))
        if model is Tenant:
            for backend in get_search_backends(with_auto_update=True):
                backend.add_bulk(Tenant, chunk)
        if ReferenceIndex.model_is_indexable(model):
            for obj in chunk:
                ReferenceIndex.create_or_update_for_object(obj)
        done += len(chunk)
    return done
