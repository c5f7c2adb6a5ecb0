"""How often special tenants are visited: the managers' setting per centre,
a centre-scoped snippet."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, ObjectList

from tenants.admin.policies import CentreSettingForm, CentreSettingViewSet
from visits.models import VisitPolicy


class VisitPolicyViewSet(CentreSettingViewSet):
    model = VisitPolicy
    icon = "date"
    menu_label = _("Visit frequency of special tenants")
    list_display = ["centre", "special_per_year"]
    edit_handler = ObjectList([FieldPanel("centre"), FieldPanel("special_per_year")], base_form_class=CentreSettingForm)
