"""The plan follows the tenants: a tier change, a move-out or a new tenant
re-plans that tenant's year. Beat schedules are kept in step on migrate."""

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from tenants.models import Tenant


@receiver(pre_save, sender=Tenant)
def remember_tier(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    old = Tenant.objects.filter(pk=instance.pk).values("tier", "status").first()
    instance._visits_old = old


@receiver(post_save, sender=Tenant)
def replan_on_change(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    old = getattr(instance, "_visits_old", None) or {}
    if not created and old.get("tier") == instance.tier and old.get("status") == instance.status:
        return
    from .services.plans import tenant_changed

    tenant_changed(tenant=instance, old_tier=old.get("tier"), old_status=old.get("status"), created=created)


@receiver(post_save, sender="visits.VisitPolicy")
def replan_on_policy_change(sender, instance, raw=False, **kwargs):
    if raw:
        return
    from django.db import transaction
    from django.utils import timezone

    from .tasks import replan_centre

    centre_id, year = instance.centre_id, timezone.localdate().year
    transaction.on_commit(lambda: replan_centre.delay(centre_id, year))
