"""Wrapping a Wagtail method that offers no hook, once.

Where Wagtail has a hook or a setting, the project uses it. A few views and
managers have neither (the chooser's chosen-multiple view, the reports'
querysets, the log entry managers, the spreadsheet export), so their method is
replaced at start-up by one that calls the original. `wrap_once` does it in one
way for all of them: the wrapper is marked, and a second call — a module
imported twice, a test that sets things up again — changes nothing."""

from __future__ import annotations

from collections.abc import Callable


def wrap_once(owner, name: str, wrap: Callable[[Callable], Callable]) -> None:
    """Replace `owner.<name>` by `wrap(original)`, unless already wrapped."""
    original = getattr(owner, name)
    if getattr(original, "atrium_wrapped", False):
        return
    wrapped = wrap(original)
    wrapped.atrium_wrapped = True
    setattr(owner, name, wrapped)
