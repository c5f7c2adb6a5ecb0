"""How often special tenants are visited: the managers' setting per centre,
a centre-scoped snippet."""

from django.utils.translation import gettext_lazy as _

from tenants.admin.policies import CentreSettingViewSet
from visits.models import VisitPolicy


class VisitPolicyViewSet(CentreSettingViewSet):
    model = VisitPolicy
    icon = "date"
    menu_label = _("Visit frequency of special tenants")
    setting_fields = ("special_per_year",)
