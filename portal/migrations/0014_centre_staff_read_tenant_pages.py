"""A centre's staff read its tenant-only pages (the handbook, works notices):
each centre gets a staff group holding its active staff (and the operator's
operator-wide managers), and every tenant-only page of the centre lets that
group in beside its tenants. From now on portal.pages.site keeps the group in
step with memberships; this brings an existing database there once."""

from django.db import migrations
from django.db.models import Q


def _name(code: str) -> str:
    return f"中心员工 Centre staff · {code}"  # portal.pages.site.staff_group_name


def staff_read_tenant_pages(apps, schema_editor):
    Centre = apps.get_model("portal", "Centre")
    Group = apps.get_model("auth", "Group")
    StaffMembership = apps.get_model("portal", "StaffMembership")
    PageViewRestriction = apps.get_model("wagtailcore", "PageViewRestriction")
    for centre in Centre.objects.all():
        group, _ = Group.objects.get_or_create(name=_name(centre.code))
        members = StaffMembership.objects.filter(
            Q(centre_id=centre.pk) | Q(centre__isnull=True), active=True, operator_id=centre.operator_id)
        group.user_set.add(*members.values_list("user_id", flat=True).distinct())
        tenants = f"租户 Tenants · {centre.code}"  # portal.pages.site.tenant_group_name
        for restriction in PageViewRestriction.objects.filter(groups__name=tenants):
            restriction.groups.add(group)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("portal", "0013_field_names"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(staff_read_tenant_pages, migrations.RunPython.noop)]
