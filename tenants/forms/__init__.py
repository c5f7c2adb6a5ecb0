"""The tenants app's forms, by topic (archive, directory, requests)."""

from __future__ import annotations


class DatesInOrder:
    """A form mixin for a pair of dates where the second may not come before
    the first (issued → expires, lease start → end): `dates_in_order` names
    the two fields and the error shown on the second. A date the form does
    not show or the person left empty is not checked."""

    dates_in_order: tuple[str, str, str]

    def clean(self):
        cleaned = super().clean()
        first, second, message = self.dates_in_order
        start, end = cleaned.get(first), cleaned.get(second)
        if start and end and end < start:
            self.add_error(second, message)
        return cleaned
