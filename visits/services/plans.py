"""Visit plans: windows from tiers, re-planning when a tenant changes, and
re-assignment. The window arithmetic is pure (no database) so that the rules
are easy to read and to test.

The rule, pro rata: a window of the tenant's cadence is planned when the
tenant is in the centre at that tier for more than half of it, and its dates
are clipped to that stretch. A tier-3 tenant who moves in in October is
visited next year; a tier-1 tenant who leaves on 20 May is visited in May."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.access import has_role
from portal.audit import audit_record
from portal.models.accounts import Role, StaffMembership, User
from tenants.bulk import first_in_bulk, in_bulk_change
from tenants.models import Centre, Tenant, TenantStatus

from ..models import (
    PlannedVisit,
    PlannedVisitStatus,
    TierChange,
    VisitPlan,
    VisitPolicy,
    VisitRecord,
)
from .standing import standing_refresh

PLAN_ROLES = (Role.OPERATIONS, Role.MANAGER)
_PREFIX = {12: "M", 6: "B", 4: "Q", 2: "H", 1: "Y"}


class PlanError(Exception):
    """The plan cannot change this way; the message is for the person who tried."""


@dataclass(frozen=True)
class Window:
    tier: str
    period: str
    start: date
    end: date


def _month_start(year: int, month: int) -> date:
    return date(year, month, 1)


def cadence_windows(year: int, per_year: int) -> list[tuple[str, date, date]]:
    """The calendar windows of a cadence: 12 months, 4 quarters, one year…"""
    months = 12 // per_year
    out = []
    for k in range(per_year):
        first = k * months + 1
        start = _month_start(year, first)
        end = _month_start(year + 1, 1) if first + months > 12 else _month_start(year, first + months)
        code = _PREFIX[per_year] + (f"{k + 1:02d}" if per_year == 12 else ("" if per_year == 1 else str(k + 1)))
        out.append((code, start, end - timedelta(days=1)))
    return out


def presence_segments(
    *, year: int, tier: str, lease_start: date | None, lease_end: date | None, changes: Iterable[TierChange]
) -> list[tuple[str, date, date]]:
    """(tier, from, to) stretches of the year during which the tenant is in
    the centre, from the lease and the recorded tier changes."""
    y0, y1 = date(year, 1, 1), date(year, 12, 31)
    start = max(y0, lease_start) if lease_start else y0
    end = min(y1, lease_end) if lease_end else y1
    changes = sorted(changes, key=lambda c: (c.effective, c.pk or 0))
    initial = (changes[0].from_tier or None) if changes else tier
    points: list[tuple[date, str | None]] = [(date.min, initial)]
    for c in changes:
        points.append((c.effective, None if c.to_tier == TierChange.LEFT else c.to_tier))
    out = []
    for i, (since, current) in enumerate(points):
        until = points[i + 1][0] - timedelta(days=1) if i + 1 < len(points) else date.max
        lo, hi = max(since, start), min(until, end)
        if current and lo <= hi:
            out.append((current, lo, hi))
    return out


def tenant_windows(segments: list[tuple[str, date, date]], *, year: int, per_year_for) -> list[Window]:
    seen: dict[str, Window] = {}
    for tier, lo, hi in segments:
        for period, start, end in cadence_windows(year, per_year_for(tier)):
            a, b = max(start, lo), min(end, hi)
            if a > b:
                continue
            overlap, length = (b - a).days + 1, (end - start).days + 1
            if 2 * overlap > length and period not in seen:
                seen[period] = Window(tier=tier, period=period, start=a, end=b)
    return sorted(seen.values(), key=lambda w: (w.end, w.period))


# --- writing the plan ------------------------------------------------------------------


def _operations_staff(centre: Centre) -> list[User]:
    members = StaffMembership.objects.active().filter(role=Role.OPERATIONS, centre=centre).values("user")
    return list(User.objects.filter(pk__in=members, is_active=True).order_by("pk"))


def plan_sync(*, centre: Centre, year: int, tenants: Iterable[Tenant] | None = None, actor=None) -> VisitPlan:
    """Bring the plan of `centre` for `year` in line with its tenants.

    Done visits are history and never touched; due ones that no longer fit
    are cancelled (kept, with the reason); new windows are assigned to the
    tenant's usual staff member, else to the least loaded one. Safe to run
    any number of times."""
    with transaction.atomic():
        plan, _created = VisitPlan.objects.get_or_create(centre=centre, year=year)
        plan = VisitPlan.objects.select_for_update().get(pk=plan.pk)
        tenant_list, changes, existing = _tenants_with_rows(centre=centre, plan=plan, tenants=tenants)
        ids = [t.pk for t in tenant_list]
        special = VisitPolicy.objects.filter(centre=centre).values_list("special_per_year", flat=True).first() or 12

        def per_year_for(tier):
            return VisitPolicy.windows_for(centre.pk, tier, special=special)

        staff, load, usual = _staff_load(centre=centre, plan=plan)
        to_create, to_update = [], []
        for t in tenant_list:
            wanted = _wanted_windows(t, year=year, changes=changes[t.pk], per_year_for=per_year_for)
            to_update += _reconcile(existing[t.pk], wanted)
            missing = [w for p, w in wanted.items() if p not in existing[t.pk]]
            if not missing:
                continue
            assignee = usual.get(t.pk)
            if assignee is None and staff:
                assignee = min(load, key=lambda k: (load[k], k))
                usual[t.pk] = assignee
            if assignee is not None:
                load[assignee] += len(missing)
            to_create += [
                PlannedVisit(plan=plan, centre=centre, tenant_id=t.pk, tier=w.tier, period=w.period,
                             window_start=w.start, window_end=w.end, assignee_id=assignee)
                for w in missing
            ]
        PlannedVisit.objects.bulk_create(to_create, batch_size=1000)
        PlannedVisit.objects.bulk_update(
            to_update, ["status", "tier", "window_start", "window_end", "cancelled_reason"], batch_size=1000
        )
        plan.save(update_fields=["generated_at"])
        _match_records(plan=plan, tenant_ids=ids)
        if tenants is None:
            standing_refresh(year=year, centre_ids=[centre.pk])
        else:
            standing_refresh(year=year, tenant_ids=ids)
        if actor is not None or tenants is None:
            audit_record(actor=actor, action="visit_plan.synced", obj=plan,
                         details={"created": len(to_create), "updated": len(to_update)})
    return plan


def _tenants_with_rows(*, centre: Centre, plan: VisitPlan, tenants: Iterable[Tenant] | None):
    """The tenants to plan, their tier changes, and their planned visits by period."""
    qs = Tenant.objects.filter(centre=centre)
    if tenants is not None:
        qs = qs.filter(pk__in=[t.pk for t in tenants])
    tenant_list = list(qs.only("pk", "tier", "lease_start", "lease_end", "status", "centre_id"))
    ids = [t.pk for t in tenant_list]
    changes = defaultdict(list)
    for c in TierChange.objects.filter(tenant_id__in=ids):
        changes[c.tenant_id].append(c)
    # Grouped by tenant: each tenant below looks at its own rows only, so
    # re-planning a centre stays linear in its number of planned visits.
    existing: dict[int, dict[str, PlannedVisit]] = defaultdict(dict)
    for row in PlannedVisit.objects.filter(plan=plan, tenant_id__in=ids):
        existing[row.tenant_id][row.period] = row
    return tenant_list, changes, existing


def _staff_load(*, centre: Centre, plan: VisitPlan):
    """The operations staff, the live visits each already has in the plan,
    and each tenant's usual staff member."""
    staff = _operations_staff(centre)
    staff_ids = {u.pk for u in staff}
    load = Counter({u.pk: 0 for u in staff})
    usual: dict[int, int] = {}
    for p in PlannedVisit.objects.filter(plan=plan).live().exclude(assignee=None).values("tenant_id", "assignee_id"):
        if p["assignee_id"] in staff_ids:
            load[p["assignee_id"]] += 1
            usual[p["tenant_id"]] = p["assignee_id"]
    return staff, load, usual


def _wanted_windows(t: Tenant, *, year: int, changes, per_year_for) -> dict[str, Window]:
    # A lease end in the past on a tenant still trading is a renewal not yet
    # recorded, not a departure: only a tenant leaving or gone stops there.
    lease_end = t.lease_end if t.status in (TenantStatus.LEAVING, TenantStatus.LEFT) else None
    windows = tenant_windows(
        presence_segments(year=year, tier=t.tier, lease_start=t.lease_start, lease_end=lease_end, changes=changes),
        year=year, per_year_for=per_year_for,
    )
    return {w.period: w for w in windows}


def _reconcile(rows: dict[str, PlannedVisit], wanted: dict[str, Window]) -> list[PlannedVisit]:
    """One tenant's existing windows brought in line with the wanted ones;
    returns the rows changed. Done visits are history and stay as they are."""
    changed = []
    for period, row in rows.items():
        if row.status == PlannedVisitStatus.DONE:
            continue
        w = wanted.get(period)
        if w is None and row.status == PlannedVisitStatus.DUE:
            row.status, row.cancelled_reason = PlannedVisitStatus.CANCELLED, _("Tier, lease or status changed")
            changed.append(row)
        elif w is not None and (row.status, row.tier, row.window_start, row.window_end) != (
            PlannedVisitStatus.DUE, w.tier, w.start, w.end
        ):
            row.status, row.tier, row.window_start, row.window_end = PlannedVisitStatus.DUE, w.tier, w.start, w.end
            row.cancelled_reason = ""
            changed.append(row)
    return changed


def _match_records(*, plan: VisitPlan, tenant_ids: list[int]) -> None:
    """Due windows that already hold a visit (recorded before the window
    existed, e.g. after a tier change) count as done."""
    due = list(PlannedVisit.objects.filter(plan=plan, tenant_id__in=tenant_ids, status=PlannedVisitStatus.DUE))
    if not due:
        return
    records = defaultdict(list)
    used = set(PlannedVisit.objects.filter(plan=plan).exclude(record=None).values_list("record_id", flat=True))
    for r in VisitRecord.objects.filter(
        tenant_id__in={p.tenant_id for p in due}, visited_at__year__gte=plan.year - 1, visited_at__year__lte=plan.year
    ).order_by("visited_at"):
        records[r.tenant_id].append(r)
    changed = []
    for p in due:
        for r in records[p.tenant_id]:
            day = timezone.localtime(r.visited_at).date()
            if r.pk not in used and p.window_start <= day <= p.window_end:
                p.status, p.record_id, p.done_at = PlannedVisitStatus.DONE, r.pk, r.visited_at
                used.add(r.pk)
                changed.append(p)
                break
    PlannedVisit.objects.bulk_update(changed, ["status", "record", "done_at"])


def plan_refresh_request(*, actor, centre: Centre, request=None) -> int:
    """Re-plan `centre`'s current year in a task (e.g. after tenants moved in).
    The caller has scoped `centre` to what `actor` may reach. Returns the year."""
    year = timezone.localdate().year
    from ..tasks import replan_centre

    transaction.on_commit(lambda: replan_centre.delay(centre.pk, year))
    audit_record(actor=actor, action="visit_plan.refresh_requested", centre=centre, request=request)
    return year


def plan_fulfil(*, record: VisitRecord) -> PlannedVisit | None:
    """Mark the tenant's window that holds this visit as done."""
    day = timezone.localtime(record.visited_at).date()
    with transaction.atomic():
        planned = (
            PlannedVisit.objects.select_for_update()
            .filter(tenant=record.tenant, status=PlannedVisitStatus.DUE, window_start__lte=day, window_end__gte=day)
            .order_by("window_end")
            .first()
        )
        if planned is None:
            return None
        planned.status, planned.record, planned.done_at = PlannedVisitStatus.DONE, record, record.visited_at
        planned.save(update_fields=["status", "record", "done_at"])
    return planned


def planned_visit_reassign(*, actor, planned: PlannedVisit, assignee: User, all_open_for_tenant: bool = False,
                           request=None) -> int:
    """Give a visit (or all the tenant's open visits) to another staff member
    of the centre. Staff may hand on their own visits; managers any."""
    with transaction.atomic():
        row = PlannedVisit.objects.select_for_update().select_related("centre").get(pk=planned.pk)
        if not (has_role(actor, row.centre, Role.MANAGER)
                or (row.assignee_id == actor.pk and has_role(actor, row.centre, Role.OPERATIONS))):
            raise PermissionDenied
        if row.status != PlannedVisitStatus.DUE:
            raise PlanError(_("Only a visit still due can be re-assigned."))
        if not has_role(assignee, row.centre, *PLAN_ROLES):
            raise PlanError(_("The person chosen does not work for this centre."))
        qs = PlannedVisit.objects.filter(pk=row.pk)
        if all_open_for_tenant:
            qs = PlannedVisit.objects.filter(plan_id=row.plan_id, tenant_id=row.tenant_id, status=PlannedVisitStatus.DUE)
        previous = row.assignee_id
        count = qs.update(assignee=assignee)
        audit_record(actor=actor, action="planned_visit.reassigned", obj=row, request=request,
                     details={"from": previous, "to": assignee.pk, "count": count})
    return count


# --- tenant changes ---------------------------------------------------------------------


def tenant_changed(*, tenant: Tenant, old_tier: str | None, old_status: str | None, created: bool) -> None:
    """Called after a tenant is saved: record what the plan needs to know and
    re-plan the tenant's current year after the transaction commits."""
    today = timezone.localdate()
    if not created and old_tier and old_tier != tenant.tier and tenant.status != TenantStatus.LEFT:
        TierChange.objects.create(tenant=tenant, from_tier=old_tier, to_tier=tenant.tier, effective=today)
    if not created and old_status != TenantStatus.LEFT and tenant.status == TenantStatus.LEFT:
        left = tenant.lease_end if tenant.lease_end and tenant.lease_end <= today else today
        TierChange.objects.create(tenant=tenant, from_tier=tenant.tier, to_tier=TierChange.LEFT,
                                  effective=left + timedelta(days=1))
    if in_bulk_change():
        # An import of thousands of tenants: the centre's year is re-planned
        # once after commit (the same sync the nightly run does), not once per row.
        if first_in_bulk(("visits.replan", tenant.centre_id)) and _has_plan(tenant.centre_id, today.year):
            from ..tasks import replan_centre

            centre_id = tenant.centre_id
            transaction.on_commit(lambda: replan_centre.delay(centre_id, today.year))
        return
    if _has_plan(tenant.centre_id, today.year):
        from ..tasks import replan_tenant

        tenant_id = tenant.pk
        transaction.on_commit(lambda: replan_tenant.delay(tenant_id, today.year))


def _has_plan(centre_id: int, year: int) -> bool:
    return VisitPlan.objects.filter(centre_id=centre_id, year=year).exists()
