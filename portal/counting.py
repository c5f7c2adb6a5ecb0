"""Several counts in one query.

A page that shows a handful of figures (the admin home's "waiting for you",
the site summary) paid one query per figure. `count_together` asks them all
at once: each queryset becomes a scalar subquery `(SELECT COUNT(*) FROM
(...))` on one row that is sure to exist — the person's own — so the
database answers every figure in a single round trip."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import EmptyResultSet
from django.db.models import IntegerField, QuerySet, Subquery

from .request_memo import remember


class _Count(Subquery):
    # Wraps the whole queryset, so that DISTINCT, joins and slices count
    # exactly what the queryset would return.
    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS atrium_counted)"
    output_field = IntegerField()
    # A queryset known to be empty (`none()`, `__in` an empty list) is 0.
    empty_result_set_value = 0


def _known_empty(queryset: QuerySet) -> bool:
    # A filter on `centres_for(...)` of someone with no such role is `none()`:
    # Django knows it is empty when it compiles it, before asking anything.
    try:
        queryset.query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:
        return True
    return False


def count_together(user, querysets: Sequence[QuerySet]) -> list[int]:
    """`[qs.count() for qs in querysets]`, in one query (none when every
    queryset is known to be empty)."""
    asked = {i: qs.order_by().values("pk") for i, qs in enumerate(querysets)}
    asked = {i: qs for i, qs in asked.items() if not _known_empty(qs)}
    counts = [0] * len(querysets)
    if not asked:
        return counts
    annotations = {f"n{i}": _Count(qs) for i, qs in asked.items()}
    row = user._meta.model._default_manager.filter(pk=user.pk).annotate(**annotations).values_list(*annotations).first()
    for i, count in zip(asked, row or [qs.count() for qs in asked.values()], strict=True):
        counts[i] = count
    return counts


class Tally:
    """Counts asked for while a page is built, answered together: the first
    answer read counts everything asked so far in one query. The admin
    home's work figures and its site summary share one (`tally_for`)."""

    def __init__(self, user):
        self.user = user
        self._asked: list[QuerySet] = []
        self._answers: dict[int, int] = {}

    def ask(self, queryset: QuerySet) -> int:
        self._asked.append(queryset)
        return len(self._asked) - 1

    def answer(self, key: int) -> int:
        if key not in self._answers:
            pending = [i for i in range(len(self._asked)) if i not in self._answers]
            counts = count_together(self.user, [self._asked[i] for i in pending])
            self._answers.update(zip(pending, counts, strict=True))
        return self._answers[key]


def tally_for(user) -> Tally:
    """The request's tally (a fresh one outside a request)."""
    return remember(("tally", user.pk), lambda: Tally(user))
