"""The letter listing's filters: the letter's own states, and the letters
with shops overdue for signing (where the "My work" item for them leads)."""

import django_filters
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet

from notices.models import Delivery, Letter


class LetterFilterSet(WagtailFilterSet):
    overdue = django_filters.BooleanFilter(label=_("shops overdue for signing"), method="filter_overdue")

    class Meta:
        model = Letter
        fields = ["status", "kind", "delivery_state"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = Exists(Delivery.objects.overdue_unsigned().filter(letter=OuterRef("pk")))
        return queryset.filter(overdue) if value else queryset.exclude(overdue)
