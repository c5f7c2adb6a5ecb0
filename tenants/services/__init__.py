"""The tenants app's services, one module per topic; each state change is one
function (README, "How the code is laid out")."""

from __future__ import annotations


def whole_number_between(value, low: int, high: int) -> int | None:
    """`value` (a form's number, or the text a caller passed) as a whole
    number from `low` to `high`; None for anything else, so that the service
    refuses it with its own message rather than a 500."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if low <= number <= high else None
