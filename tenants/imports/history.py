"""The field history of what an import writes (R2), recorded in batches.

Each row's save would otherwise add one history insert of its own
(django-simple-history's post_save); an import of 20,000 rows records its
history in a few bulk inserts instead, with the library's own
bulk_history_create, inside the import's transaction: an import rolled back
leaves no history either."""

from __future__ import annotations

from collections import defaultdict

from django.utils import timezone

from tenants.selectors.history import IMPORT_REASON

BATCH = 1000


class ImportHistory:
    def __init__(self, actor=None):
        self.actor = actor
        # (model, is update) -> instances saved since the last flush
        self._pending: dict[tuple[type, bool], list] = defaultdict(list)

    def hold(self, instance) -> None:
        """Before a row's save: its history is recorded with the batch."""
        instance.skip_history_when_saving = True

    def add(self, instance, *, update: bool) -> None:
        """After a row's save (or a change made without one: a unit let by
        a tenant row is written by a queryset update)."""
        if hasattr(instance, "skip_history_when_saving"):
            del instance.skip_history_when_saving
        batch = self._pending[(type(instance), update)]
        batch.append(instance)
        if len(batch) >= BATCH:
            self._record(type(instance), update, batch)
            batch.clear()

    def flush(self) -> None:
        for (model, update), batch in self._pending.items():
            if batch:
                self._record(model, update, batch)
        self._pending.clear()

    def _record(self, model, update: bool, instances) -> None:
        model.history.bulk_history_create(
            instances,
            update=update,
            default_user=self.actor,
            default_change_reason=IMPORT_REASON,
            default_date=timezone.now(),
        )
