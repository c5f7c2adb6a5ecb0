"""Several counts in one query.

A page that shows a handful of figures (the admin home's "waiting for you",
the site summary) paid one query per figure. `count_together` asks them all
at once: each queryset becomes a scalar subquery `(SELECT COUNT(*) FROM
(...))` on one row that is sure to exist — the person's own — so the
database answers every figure in a single round trip."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import IntegerField, QuerySet, Subquery


class _Count(Subquery):
    # Wraps the whole queryset, so that DISTINCT, joins and slices count
    # exactly what the queryset would return.
    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS atrium_counted)"
    output_field = IntegerField()
    # A queryset known to be empty (`none()`, `__in` an empty list) is 0.
    empty_result_set_value = 0


def count_together(user, querysets: Sequence[QuerySet]) -> list[int]:
    """`[qs.count() for qs in querysets]`, in one query."""
    if not querysets:
        return []
    names = [f"n{i}" for i in range(len(querysets))]
    annotations = {name: _Count(qs.order_by().values("pk")) for name, qs in zip(names, querysets, strict=True)}
    row = user._meta.model._default_manager.filter(pk=user.pk).annotate(**annotations).values_list(*names).first()
    return list(row) if row is not None else [qs.count() for qs in querysets]
