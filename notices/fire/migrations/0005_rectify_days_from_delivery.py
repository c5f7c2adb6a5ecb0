"""A case's deadline now runs from its rectification letter's delivery.

Cases in flight keep the period their inspector gave (the old deadline less
the day the letter was drafted). Those whose letter has not reached the shop
lose their deadline until it does, as new ones; those delivered or closed
keep theirs."""

from datetime import timedelta

from django.db import migrations, models

MAX_DAYS = 90


def _to_periods(apps, schema_editor):
    Case = apps.get_model("fire", "RectificationCase")
    CaseEvent = apps.get_model("fire", "CaseEvent")
    Delivery = apps.get_model("notices", "Delivery")
    for case in Case.objects.exclude(deadline__isnull=True).iterator():
        drafted = (CaseEvent.objects.filter(case_id=case.pk, kind="letter").order_by("-at").values_list("at", flat=True).first()
                   or case.opened_at)
        days = min(max((case.deadline - drafted.date()).days, 1), MAX_DAYS)
        delivered = case.letter_id is not None and Delivery.objects.filter(
            letter_id=case.letter_id, tenant_id=case.tenant_id).exists()
        waiting = case.status != "closed" and not delivered
        Case.objects.filter(pk=case.pk).update(rectify_days=days, **({"deadline": None, "escalated_at": None} if waiting else {}))


def _to_dates(apps, schema_editor):
    """The way back: the old schema wants a date on every case; one still
    waiting for its letter gets the period counted from its opening."""
    Case = apps.get_model("fire", "RectificationCase")
    for case in Case.objects.filter(deadline__isnull=True).iterator():
        Case.objects.filter(pk=case.pk).update(deadline=case.opened_at.date() + timedelta(days=case.rectify_days))


class Migration(migrations.Migration):

    dependencies = [
        ('fire', '0004_verbose_names'),
        ('notices', '0014_verbose_names'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='rectificationcase',
            options={'ordering': [models.OrderBy(models.F('deadline'), nulls_last=True), 'id'], 'verbose_name': 'rectification case', 'verbose_name_plural': 'rectification cases'},
        ),
        migrations.AddField(
            model_name='rectificationcase',
            name='rectify_days',
            field=models.PositiveSmallIntegerField(default=7, help_text='Counted from the day the letter reaches the shop.', verbose_name='days to rectify'),
        ),
        migrations.AlterField(
            model_name='caseevent',
            name='kind',
            field=models.CharField(choices=[('opened', 'Case opened'), ('letter', 'Rectification letter drafted'), ('letter_delivered', 'Rectification letter delivered to the shop'), ('reported', 'Tenant reported the rectification'), ('reinspected_failed', 'Re-inspected: not yet rectified'), ('closed', 'Re-inspected: rectified, case closed'), ('escalated', 'Overdue: escalated')], max_length=20),
        ),
        migrations.AlterField(
            model_name='rectificationcase',
            name='deadline',
            field=models.DateField(blank=True, null=True, verbose_name='rectify by'),
        ),
        migrations.RunPython(_to_periods, _to_dates),
    ]
