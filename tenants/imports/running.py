"""Running an import (a dry run or the real one) and turning import-export's
result into problems that name the row."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import tablib
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.signal_handlers import disable_reference_index_auto_update

from tenants.bulk import bulk_change
from tenants.search_index import index_updates_suspended


@dataclass
class RowProblem:
    number: int
    messages: list[str] = field(default_factory=list)


@dataclass
class ImportOutcome:
    total: int
    new: int
    updated: int
    problems: list[RowProblem]

    @property
    def ok(self) -> bool:
        return not self.problems


def _outcome(result, resource_cls) -> ImportOutcome:
    labels = {attr: str(label) for attr, label, _zh in resource_cls.columns}
    problems: dict[int, RowProblem] = {}
    for invalid in result.invalid_rows:
        p = problems.setdefault(invalid.number, RowProblem(invalid.number))
        for name, messages in invalid.error_dict.items():
            label = labels.get(name, "" if name == "__all__" else name)
            p.messages.extend(f"{label}：{m}" if label else m for m in messages)
    for number, errors in result.row_errors():
        p = problems.setdefault(number, RowProblem(number))
        p.messages.extend(_("The row could not be saved: %(error)s") % {"error": e.error} for e in errors)
    for error in result.base_errors:
        problems.setdefault(0, RowProblem(0)).messages.append(str(error.error))
    totals = result.totals
    return ImportOutcome(total=result.total_rows, new=totals.get("new", 0), updated=totals.get("update", 0),
                         problems=[problems[k] for k in sorted(problems)])


def run_import(
    dataset: tablib.Dataset, resource_cls, *, centres, dry_run: bool, progress=None, actor=None
) -> ImportOutcome:
    """A dry run changes nothing; a real run writes every row or none, and
    the field history of each (by `actor`, reason "import").
    `progress(rows_done)` is called now and then during a dry run."""
    resource = resource_cls(centres=centres, progress=progress if dry_run else None, actor=actor)
    if dry_run:
        # The dry run writes nothing (import-export skips the saves when it
        # runs without transactions), so it needs no transaction and no
        # savepoint per row, and the progress it reports is seen at once.
        result = resource.import_data_inner(dataset, True, False, False, False)
        return _outcome(result, resource_cls)
    # Search and reference indexes are brought up to date once, after commit,
    # not per row (see tenants.search_index); other apps' per-tenant work is
    # done once per centre (tenants.bulk).
    with transaction.atomic(), bulk_change(), index_updates_suspended(), disable_reference_index_auto_update():
        result = resource.import_data(dataset, dry_run=False, raise_errors=False, use_transactions=True,
                                      rollback_on_validation_errors=True)
        outcome = _outcome(result, resource_cls)
        if not outcome.ok:
            transaction.set_rollback(True)
        else:
            resource.history.flush()
            from tenants.tasks import reindex_imported

            ids = [row.object_id for row in result.valid_rows() if row.object_id]
            transaction.on_commit(functools.partial(reindex_imported.delay, resource_cls._meta.model._meta.label, ids))
    return outcome
