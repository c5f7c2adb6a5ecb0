"""Who sees what in the fire-safety cycle, and the monthly figures.

Staff: inspectors (operations staff, or the safety department's drafter, of
the centre) record forms and re-inspect; leaders and managers of the centre
read. Tenants: any active contact of the tenant sees that tenant's cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import (
    Exists,
    F,
    Func,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from notices.fire.models import (
    CaseStatus,
    ChecklistItem,
    FirePhoto,
    InspectionForm,
    InspectionResult,
    InspectionRound,
    RectificationCase,
)
from portal.access import centres_for, has_role, reaches_centres, users_with_role
from portal.models.accounts import Department, Role, StaffMembership
from portal.request_memo import remember
from tenants.models import Centre, Tenant, TenantStatus
from tenants.selectors.contacts import tenant_contacts_of

READ_ROLES = (Role.OPERATIONS, Role.DRAFTER, Role.LEADER, Role.MANAGER)


def safety_drafters(centre: Centre):
    """The centre's drafters in the safety department (安全部), who draft its fire-safety letters."""
    return users_with_role(centre, Role.DRAFTER).filter(
        memberships__role=Role.DRAFTER, memberships__centre=centre, memberships__active=True,
        memberships__department=Department.SAFETY,
    ).distinct().order_by("pk")


def _safety_drafter_of_round():
    """An active safety-department drafter of the round's centre (as safety_drafters, for a subquery)."""
    return StaffMembership.objects.active().filter(
        centre=OuterRef("centre_id"), role=Role.DRAFTER, department=Department.SAFETY,
    )


def rounds_without_notice(rounds: QuerySet[InspectionRound]) -> QuerySet[InspectionRound]:
    """This month's rounds whose inspection notice could not be drafted
    because their centre has no safety-department drafter (R15's notice
    does not go out until someone adds one)."""
    return rounds.filter(month=month_start(), notice_letter__isnull=True).exclude(Exists(_safety_drafter_of_round()))


def may_inspect(user, centre: Centre) -> bool:
    if has_role(user, centre, Role.OPERATIONS):
        return True
    return getattr(user, "is_authenticated", False) and safety_drafters(centre).filter(pk=user.pk).exists()


def inspection_centres_for(user) -> QuerySet[Centre]:
    if getattr(user, "is_superuser", False) and user.is_active:
        return Centre.objects.all()
    ops = centres_for(user, [Role.OPERATIONS])
    safety = centres_for(user, [Role.DRAFTER]).filter(
        memberships__user=user, memberships__role=Role.DRAFTER, memberships__active=True,
        memberships__department=Department.SAFETY,
    )
    return Centre.objects.filter(Q(pk__in=ops.values("pk")) | Q(pk__in=safety.values("pk")))


def fire_centres_for(user) -> QuerySet[Centre]:
    """Centres whose fire-safety records `user` may read (inspectors, leaders, managers)."""
    readers = centres_for(user, [Role.LEADER, Role.MANAGER])
    return Centre.objects.filter(
        Q(pk__in=readers.values("pk")) | Q(pk__in=inspection_centres_for(user).values("pk"))
    ).order_by("code")


def works_on_fire_safety(user) -> bool:
    """Whether the fire-safety screens are for `user` at all (their menu entry, their work items)."""
    # Asked on every admin page (the menu): answered from the memberships the
    # request already holds, except for a drafter, who must be of the safety
    # department.
    if reaches_centres(user, [Role.OPERATIONS, Role.LEADER, Role.MANAGER]):
        return True
    # (the menu and the home's work items both ask: once per request).
    return reaches_centres(user, [Role.DRAFTER]) and remember(
        ("works_on_fire_safety", user.pk), lambda: fire_centres_for(user).exists()
    )


def may_edit_checklist(user, centre: Centre) -> bool:
    return may_inspect(user, centre) or has_role(user, centre, Role.MANAGER)


def checklist_centres_for(user) -> QuerySet[Centre]:
    return Centre.objects.filter(
        Q(pk__in=inspection_centres_for(user).values("pk")) | Q(pk__in=centres_for(user, [Role.MANAGER]).values("pk"))
    )


def checklist_visible_to(user) -> QuerySet[ChecklistItem]:
    return ChecklistItem.objects.filter(centre__in=checklist_centres_for(user)).select_related("centre")


def rounds_visible_to(user) -> QuerySet[InspectionRound]:
    return InspectionRound.objects.filter(centre__in=fire_centres_for(user)).select_related("centre", "notice_letter")


def forms_visible_to(user) -> QuerySet[InspectionForm]:
    return InspectionForm.objects.filter(round__centre__in=fire_centres_for(user)).select_related(
        "round", "round__centre", "tenant", "inspector"
    )


def cases_visible_to(user) -> QuerySet[RectificationCase]:
    return RectificationCase.objects.filter(centre__in=fire_centres_for(user)).select_related(
        "centre", "tenant", "form", "form__round", "letter"
    )


def cases_of_tenant_user(user) -> QuerySet[RectificationCase]:
    """Cases of the tenants `user` is an active contact of."""
    return RectificationCase.objects.filter(
        tenant__in=tenant_contacts_of(user).values("tenant")
    ).select_related("centre", "tenant", "form", "form__round", "letter")


def photos_visible_to(user) -> QuerySet[FirePhoto]:
    """Staff of the centre see every photo; a tenant's contacts see the photos
    of their own tenant's cases and inspection forms."""
    return FirePhoto.objects.filter(
        Q(centre__in=fire_centres_for(user)) | Q(tenant__in=tenant_contacts_of(user).values("tenant"))
    )


def round_tenants(round_: InspectionRound) -> QuerySet[Tenant]:
    """Who is inspected: every tenant of the centre still on site."""
    return Tenant.objects.filter(centre=round_.centre).exclude(status=TenantStatus.LEFT).order_by("code")


def month_start(day: date | None = None) -> date:
    day = day or timezone.localdate()
    return day.replace(day=1)


@dataclass(frozen=True)
class MonthlyStatus:
    centre: Centre
    month: date
    round: InspectionRound | None
    tenants: int
    inspected: int
    passed: int
    failed: int
    rectified: int
    awaiting: int
    overdue: int
    notice_drafted: bool = True
    has_safety_drafter: bool = True

    @property
    def not_inspected(self) -> int:
        return max(self.tenants - self.inspected, 0)

    @property
    def notice_blocked(self) -> bool:
        """The month's notice is not drafted and cannot be until the centre has a safety drafter."""
        return self.round is not None and not self.notice_drafted and not self.has_safety_drafter

    @property
    def notice_due(self) -> bool:
        """This month's notice is not drafted but could be now (a drafter was added since)."""
        return (self.round is not None and not self.notice_drafted and self.has_safety_drafter
                and self.month == month_start())


def _count(queryset) -> Coalesce:
    # A correlated COUNT(*) (no GROUP BY): one figure per round, in the round's row.
    return Coalesce(Subquery(queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")), 0)


def _with_figures(rounds: QuerySet[InspectionRound], today: date) -> QuerySet[InspectionRound]:
    """Each round with its month's figures, counted in the round's own row."""
    forms = InspectionForm.objects.filter(round=OuterRef("pk"))
    cases = RectificationCase.objects.filter(form__round=OuterRef("pk"))
    return rounds.select_related("centre").annotate(
        tenant_count=_count(Tenant.objects.filter(centre=OuterRef("centre_id")).exclude(status=TenantStatus.LEFT)),
        inspected=_count(forms),
        failed=_count(forms.filter(failed_count__gt=0)),
        rectified=_count(cases.filter(status=CaseStatus.CLOSED)),
        awaiting=_count(cases.exclude(status=CaseStatus.CLOSED)),
        overdue=_count(cases.overdue(today)),
        has_safety_drafter=Exists(_safety_drafter_of_round()),
    )


def _status(round_: InspectionRound) -> MonthlyStatus:
    return MonthlyStatus(
        centre=round_.centre, month=round_.month, round=round_, tenants=round_.tenant_count,
        inspected=round_.inspected, passed=round_.inspected - round_.failed, failed=round_.failed,
        rectified=round_.rectified, awaiting=round_.awaiting, overdue=round_.overdue,
        notice_drafted=round_.notice_letter_id is not None, has_safety_drafter=round_.has_safety_drafter,
    )


def monthly_status(centre: Centre, month: date, *, today: date | None = None) -> MonthlyStatus:
    """The month's figures: forms recorded, passed and failed; of the failed,
    cases rectified (closed), still open or reported, and overdue (open past
    their deadline; a case whose letter has not reached the shop has no
    deadline yet and is never overdue). failed = rectified + awaiting;
    overdue ⊆ awaiting."""
    today = today or timezone.localdate()
    round_ = _with_figures(InspectionRound.objects.filter(centre=centre, month=month_start(month)), today).first()
    if round_ is None:
        tenants = Tenant.objects.filter(centre=centre).exclude(status=TenantStatus.LEFT).count()
        return MonthlyStatus(centre, month_start(month), None, tenants, 0, 0, 0, 0, 0, 0)
    return _status(round_)


def monthly_statuses_for(user, *, months: int = 6) -> list[MonthlyStatus]:
    """The last `months` months with a round, for each centre the user reads:
    one query, however many centres and months."""
    latest_first = Window(RowNumber(), partition_by=F("centre_id"), order_by=F("month").desc())
    rounds = (
        InspectionRound.objects.filter(centre__in=fire_centres_for(user))
        .annotate(recency=latest_first)
        .filter(recency__lte=months)
        .order_by("centre__code", "-month")
    )
    return [_status(round_) for round_ in _with_figures(rounds, timezone.localdate())]


@dataclass
class RoundRow:
    tenant: Tenant
    form: InspectionForm | None
    failed: list
    case: RectificationCase | None

    @property
    def units(self) -> str:
        return "、".join(u.number for u in self.tenant.units.all())


def round_table(round_: InspectionRound) -> list[RoundRow]:
    """One row per tenant of the centre: the form (if recorded), its failed items, its case."""
    forms = {
        f.tenant_id: f
        for f in round_.forms.select_related("inspector").prefetch_related(
            Prefetch("results", queryset=InspectionResult.objects.filter(passed=False), to_attr="failed_results")
        )
    }
    cases = {c.tenant_id: c for c in RectificationCase.objects.filter(form__round=round_).select_related("letter")}
    rows = []
    for tenant in round_tenants(round_).prefetch_related("units"):
        form = forms.get(tenant.pk)
        rows.append(RoundRow(tenant=tenant, form=form, failed=getattr(form, "failed_results", []) if form else [],
                             case=cases.get(tenant.pk)))
    return rows


def case_events_for_tenant(case: RectificationCase):
    """What the tenant sees of a case's history: not the internal escalation,
    and a rectification letter only once it is sealed (a draft in approval
    may still change)."""
    from notices.fire.models import CaseEvent
    from notices.models import LetterStatus

    return (
        case.events.exclude(kind=CaseEvent.Kind.ESCALATED)
        .exclude(Q(kind=CaseEvent.Kind.LETTER) & ~Q(letter__status=LetterStatus.STAMPED))
        .select_related("letter").prefetch_related("photos")
    )


def tenant_letter_url(case: RectificationCase) -> str | None:
    """Where the tenant reads and signs the case's letter: its delivery in the
    letters inbox, once the sealed letter has been delivered. Deliveries
    belong to the letters app; until it has them, there is no link."""
    from django.apps import apps
    from django.urls import NoReverseMatch, reverse

    if case.letter_id is None:
        return None
    try:
        delivery_model = apps.get_model("notices", "Delivery")
    except LookupError:
        return None
    delivery = delivery_model.objects.filter(letter_id=case.letter_id, tenant_id=case.tenant_id).first()
    if delivery is None:
        return None
    try:
        return reverse("notices_inbox:letter", args=[delivery.pk])
    except NoReverseMatch:
        return None
