"""A change of many tenants at once (an import writing thousands of rows).

Other apps react to each tenant's save (visits re-plans the tenant's year).
Within a bulk change they may do that work once per centre instead, after
commit: `first_in_bulk(key)` is true the first time a key is seen in the
current bulk change, and always true outside one."""

from __future__ import annotations

from collections.abc import Hashable
from contextlib import contextmanager
from contextvars import ContextVar

_seen: ContextVar[set | None] = ContextVar("tenants_bulk_change", default=None)


@contextmanager
def bulk_change():
    token = _seen.set(set())
    try:
        yield
    finally:
        _seen.reset(token)


def in_bulk_change() -> bool:
    return _seen.get() is not None


def first_in_bulk(key: Hashable) -> bool:
    seen = _seen.get()
    if seen is None:
        return True
    if key in seen:
        return False
    seen.add(key)
    return True
