"""How often special tenants are visited: the managers' setting per centre,
a centre-scoped snippet."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, ObjectList

from portal.admin_scoping import ScopedAdminForm, ScopedSnippetViewSet
from tenants.selectors.directory import centres_editable_by
from visits.models import VisitPolicy


class VisitPolicyForm(ScopedAdminForm):
    scoped_fields = {"centre": centres_editable_by}


class VisitPolicyViewSet(ScopedSnippetViewSet):
    model = VisitPolicy
    icon = "date"
    menu_label = _("Visit frequency of special tenants")
    add_to_admin_menu = False
    copy_view_enabled = False
    list_display = ["centre", "special_per_year"]
    edit_handler = ObjectList([FieldPanel("centre"), FieldPanel("special_per_year")], base_form_class=VisitPolicyForm)

    @staticmethod
    def scope(user):
        return VisitPolicy.objects.filter(centre__in=centres_editable_by(user)).select_related("centre")
