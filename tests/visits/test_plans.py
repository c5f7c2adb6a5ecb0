"""Plans are generated per centre, assigned to operations staff, follow the
tenants' tier changes and departures, and can be handed on."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.models import Role
from tenants.bulk import bulk_change
from tenants.models import TenantStatus, Tier
from tests.base import ANONYMOUS, assert_access, make_staff, make_tenant
from visits.models import PlannedVisit, PlannedVisitStatus, TierChange
from visits.services.plans import PlanError, plan_sync, planned_visit_reassign
from visits.services.reminders import monthly_manager_summary, weekly_visit_reminders

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(world):
    return plan_sync(centre=world.centre_a, year=timezone.localdate().year)


def test_the_plan_follows_the_tiers_and_goes_to_operations_staff(world, plan):
    rows = PlannedVisit.objects.filter(plan=plan)
    assert rows.filter(tenant=world.tenant_a).count() == 12  # tier 1
    assert rows.filter(tenant=world.tenant_a2).count() == 1  # tier 3
    assert set(rows.values_list("assignee", flat=True)) == {world.ops_a.pk}
    again = plan_sync(centre=world.centre_a, year=plan.year)
    assert again.pk == plan.pk and PlannedVisit.objects.filter(plan=plan).count() == 13


def test_a_tier_change_replans_the_tenant(world, plan, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        world.tenant_a2.tier = Tier.TIER_1
        world.tenant_a2.save()
    change = TierChange.objects.get(tenant=world.tenant_a2)
    assert (change.from_tier, change.to_tier, change.effective) == ("3", "1", timezone.localdate())
    live = PlannedVisit.objects.live().filter(tenant=world.tenant_a2)
    assert all(p.tier == "1" for p in live if p.window_start >= timezone.localdate())


def test_a_tenant_who_leaves_has_no_more_visits_due(world, plan, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        world.tenant_a.status = TenantStatus.LEFT
        world.tenant_a.save()
    today = timezone.localdate()
    later = PlannedVisit.objects.filter(tenant=world.tenant_a, window_start__gt=today + timedelta(days=31))
    assert all(p.status == PlannedVisitStatus.CANCELLED for p in later)


@pytest.mark.time_machine("2026-03-10 10:00 +0800", tick=True)
def test_a_bulk_change_replans_each_centre_once_after_commit(world, django_capture_on_commit_callbacks):
    """An import changing many tenants re-plans the centre once, not once a row
    (tenants.bulk), and the plan still follows every change."""
    plan = plan_sync(centre=world.centre_a, year=2026)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, bulk_change():
        for tenant in (world.tenant_a, world.tenant_a2):
            tenant.tier = Tier.TIER_2
            tenant.save()
    assert len(callbacks) == 1
    assert TierChange.objects.filter(tenant__in=[world.tenant_a, world.tenant_a2], to_tier="2").count() == 2
    later = PlannedVisit.objects.live().filter(plan=plan, window_start__gt=timezone.localdate() + timedelta(days=31))
    assert later.filter(tenant=world.tenant_a2).exists()
    assert set(later.values_list("tier", flat=True)) == {"2"}


def test_staff_hand_on_their_visits_and_managers_any(world, plan):
    colleague = make_staff("ops2@a.test", world.centre_a, Role.OPERATIONS)
    planned = PlannedVisit.objects.filter(tenant=world.tenant_a).first()
    with pytest.raises(PlanError):
        planned_visit_reassign(actor=world.ops_a, planned=planned, assignee=world.ops_b)  # other centre
    n = planned_visit_reassign(actor=world.ops_a, planned=planned, assignee=colleague, all_open_for_tenant=True)
    assert n == PlannedVisit.objects.filter(tenant=world.tenant_a, assignee=colleague).count() > 0
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):  # no longer theirs
        planned_visit_reassign(actor=world.ops_a, planned=planned, assignee=world.ops_a)
    planned_visit_reassign(actor=world.manager, planned=planned, assignee=world.ops_a)
    url = reverse("visits:reassign", args=[planned.pk])
    assert_access(url, allowed=[world.ops_a, world.manager], refused=[world.ops_b, world.signer_a, ANONYMOUS])
    c = Client()
    c.force_login(world.ops_a)
    assert c.post(url, {"assignee": colleague.pk}).status_code == 302


def test_weekly_reminders_go_once_to_each_staff_member(world, plan):
    today = timezone.localdate()
    assert weekly_visit_reminders(today=today) == 1
    assert weekly_visit_reminders(today=today) == 0  # safe to run twice
    assert mail.outbox[0].to == ["ops@a.test"] and "蜀香火锅" in mail.outbox[0].body


def test_the_monthly_summary_goes_to_managers(world, plan):
    assert monthly_manager_summary(today=timezone.localdate().replace(day=1) + timedelta(days=40)) == 1
    assert mail.outbox[0].to == ["manager@test"]


def test_managers_set_the_special_frequency_and_the_plan_follows(world, plan, django_capture_on_commit_callbacks):
    from visits.models import VisitPolicy

    with django_capture_on_commit_callbacks(execute=True):
        vip = make_tenant(world.centre_a, "TA099", "政府服务窗口", tier=Tier.SPECIAL)
    assert PlannedVisit.objects.filter(tenant=vip, period__startswith="M").count() == 12  # monthly by default
    assert assert_access("/admin/snippets/visits/visitpolicy/add/", allowed=[world.manager],
                         refused=[world.ops_a, world.signer_a, ANONYMOUS]) is None
    with django_capture_on_commit_callbacks(execute=True):
        VisitPolicy.objects.create(centre=world.centre_a, special_per_year=4)
    live = PlannedVisit.objects.live().filter(tenant=vip)
    assert sorted(p.period for p in live) == ["Q1", "Q2", "Q3", "Q4"]
    policy = VisitPolicy.objects.get()
    assert_access(f"/admin/snippets/visits/visitpolicy/edit/{policy.pk}/", allowed=[world.manager],
                  refused=[world.ops_a, world.ops_b])


def test_staff_can_bring_the_plan_up_to_date(world, django_capture_on_commit_callbacks):
    c = Client()
    c.force_login(world.ops_a)
    with django_capture_on_commit_callbacks(execute=True):
        assert c.post(reverse("visits:plan_refresh", args=[world.centre_a.pk])).status_code == 302
    assert PlannedVisit.objects.filter(centre=world.centre_a).exists()
    assert_access(reverse("visits:plan_refresh", args=[world.centre_a.pk]), method="post",
                  refused=[world.ops_b, world.signer_a, ANONYMOUS])
