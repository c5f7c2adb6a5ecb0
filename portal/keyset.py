"""Keyset ("cursor") pages over one or more ordered segments.

A page with OFFSET makes the database walk every row before it, and a page
that sorts a whole history makes it sort all of it: both grow with the data.
A keyset page asks for the rows after (or before) the last one shown, in an
order an index already holds, so each page costs the same at any size.

A listing may be several segments shown one after another (the tenant inbox:
letters to sign with a due date, those without, then the rest), each a
queryset with its own ordering over non-null columns, the last one a unique
tie-breaker (`-id`). The cursor names the segment and the ordering values of
the row it stands on; it is an opaque token in the URL, and a token that
cannot be read is a `BadCursor` for the view to answer with the first page."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Q, QuerySet


class BadCursor(ValueError):
    """The page link is not one this listing made (edited, truncated, stale)."""


@dataclass(frozen=True)
class Segment:
    queryset: QuerySet
    ordering: tuple[str, ...]  # e.g. ("letter__sign_by", "-created_at", "-id")


@dataclass
class Page:
    items: list
    next_cursor: str | None
    previous_cursor: str | None


def _field(model, path: str):
    field = None
    for part in path.split("__"):
        field = model._meta.get_field(part)
        model = field.related_model
    return field


def _value(obj, path: str):
    for part in path.split("__"):
        obj = getattr(obj, part)
    return obj


def _encode(segment: int, values: list) -> str:
    plain = [v.isoformat() if isinstance(v, date | datetime) else v for v in values]
    raw = json.dumps([segment, plain], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(token: str, segments: list[Segment]) -> tuple[int, list]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        segment, values = json.loads(raw)
        ordering = segments[segment].ordering
        if not isinstance(segment, int) or segment < 0 or len(values) != len(ordering):
            raise BadCursor(token)
        model = segments[segment].queryset.model
        parsed = [_field(model, f.lstrip("-")).to_python(v) for f, v in zip(ordering, values, strict=True)]
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError, IndexError, KeyError,
            ValidationError, FieldDoesNotExist, AttributeError) as exc:
        raise BadCursor(token) from exc
    if any(v is None for v in parsed):
        raise BadCursor(token)
    return segment, parsed


def _beyond(ordering: tuple[str, ...], values: list, *, forward: bool) -> Q:
    """Rows strictly after `values` in `ordering` (before, if not forward)."""
    condition = Q()
    for i, name in enumerate(ordering):
        field = name.lstrip("-")
        ascending = not name.startswith("-")
        lookup = "gt" if ascending == forward else "lt"
        step = Q(**{f"{field}__{lookup}": values[i]})
        for prior, value in zip(ordering[:i], values[:i], strict=True):
            step &= Q(**{prior.lstrip("-"): value})
        condition = step if i == 0 else condition | step
    return condition


def _reverse(ordering: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(name[1:] if name.startswith("-") else f"-{name}" for name in ordering)


def _collect(segments: list[Segment], start: int, values: list | None, size: int, *, forward: bool) -> list:
    """Up to size + 1 (segment, row) pairs walking from the cursor; one query
    per segment touched, each bounded by the page size."""
    found: list = []
    order = range(start, len(segments)) if forward else range(start, -1, -1)
    for i in order:
        seg = segments[i]
        ordering = seg.ordering if forward else _reverse(seg.ordering)
        qs = seg.queryset.order_by(*ordering)
        if i == start and values is not None:
            qs = qs.filter(_beyond(seg.ordering, values, forward=forward))
        found += [(i, row) for row in qs[: size + 1 - len(found)]]
        if len(found) > size:
            break
    return found


def keyset_page(segments: list[Segment], *, after: str = "", before: str = "", size: int = 50) -> Page:
    """The page after the `after` token, before the `before` token, or the
    first page. Raises BadCursor for a token it cannot read."""

    def token(pair) -> str:
        i, row = pair
        return _encode(i, [_value(row, f.lstrip("-")) for f in segments[i].ordering])

    if before:
        start, values = _decode(before, segments)
        found = _collect(segments, start, values, size, forward=False)
        more = len(found) > size
        found = found[:size][::-1]
        return Page([row for _i, row in found], token(found[-1]) if found else None,
                    token(found[0]) if more else None)
    start, values = _decode(after, segments) if after else (0, None)
    found = _collect(segments, start, values, size, forward=True)
    more = len(found) > size
    found = found[:size]
    return Page([row for _i, row in found], token(found[-1]) if more else None,
                token(found[0]) if after and found else None)
