"""The face-to-face rate counts tenant meetings only (clause 4.10): the
standing's `first_met` is recomputed from meeting attendance, and in-person
visits, which it used to include, get their own `first_on_site`."""

from datetime import date, datetime, time

from django.db import migrations, models
from django.db.models import Min
from django.db.models.functions import TruncDate
from django.utils import timezone

IN_PERSON_MODES = ("on_site", "meeting")  # visits.models.records at the time of writing


def _firsts(queryset, column: str, start, end) -> dict:
    tz = timezone.get_current_timezone()
    rows = (queryset.filter(**{f"{column}__gte": start, f"{column}__lt": end}).order_by().values("tenant_id")
            .annotate(first=Min(TruncDate(column, tzinfo=tz))))
    return {r["tenant_id"]: r["first"] for r in rows}


def recompute(apps, schema_editor):
    TenantYear = apps.get_model("visits", "TenantYear")
    VisitRecord = apps.get_model("visits", "VisitRecord")
    MeetingAttendance = apps.get_model("visits", "MeetingAttendance")
    for year in TenantYear.objects.order_by().values_list("year", flat=True).distinct():
        start = timezone.make_aware(datetime.combine(date(year, 1, 1), time.min))
        end = timezone.make_aware(datetime.combine(date(year + 1, 1, 1), time.min))
        met = _firsts(MeetingAttendance.objects.all(), "at", start, end)
        on_site = _firsts(VisitRecord.objects.filter(mode__in=IN_PERSON_MODES), "visited_at", start, end)
        rows = list(TenantYear.objects.filter(year=year).only("pk", "tenant_id"))
        for row in rows:
            row.first_met, row.first_on_site = met.get(row.tenant_id), on_site.get(row.tenant_id)
        TenantYear.objects.bulk_update(rows, ["first_met", "first_on_site"], batch_size=2000)


class Migration(migrations.Migration):

    dependencies = [
        ('visits', '0004_notification_refusals'),
    ]

    operations = [
        migrations.AddField(
            model_name='tenantyear',
            name='first_on_site',
            field=models.DateField(blank=True, null=True),
        ),
        migrations.RunPython(recompute, migrations.RunPython.noop),
    ]
