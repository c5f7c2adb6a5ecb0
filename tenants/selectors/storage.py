"""The temporary storage log (R8): read by the archive roles of the centre."""

from __future__ import annotations

from tenants.models import StorageDeposit
from tenants.selectors.directory import centres_visible_to


def storage_visible_to(user):
    return StorageDeposit.objects.filter(centre__in=centres_visible_to(user))
