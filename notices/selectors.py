"""Who sees which letters, and what a letter resolves to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Avg, Count, F, QuerySet
from django.db.models.functions import ExtractMonth
from wagtail.models import TaskState, WorkflowState

from notices.models import (
    Delivery,
    Letter,
    LetterStatus,
    Receipt,
    RecipientMode,
    SealUse,
)
from portal.access import centres_for, has_role
from portal.keyset import Page, Segment, keyset_page
from portal.models.accounts import Role
from tenants.models import Tenant, TenantStatus
from tenants.selectors.contacts import tenant_contacts_of

LETTER_ROLES = (Role.DRAFTER, Role.LEADER, Role.SEAL_KEEPER, Role.MANAGER, Role.OPERATIONS)
DRAFT_ROLES = (Role.DRAFTER,)
TEMPLATE_ROLES = (Role.MANAGER, Role.SEAL_KEEPER)


def letters_visible_to(user) -> QuerySet[Letter]:
    return Letter.objects.filter(centre__in=centres_for(user, LETTER_ROLES))


def letters_listing_for(user) -> QuerySet[Letter]:
    """letters_visible_to for the admin listing: the same letters, with the
    centre ids read first, so that `centre = x` (or a short list) lets the
    database read the newest letters from the (centre, -created_at) index
    instead of sorting every letter of a subquery's centres."""
    centre_ids = list(centres_for(user, LETTER_ROLES).values_list("pk", flat=True))
    return Letter.objects.filter(centre__in=centre_ids)


def seal_uses_visible_to(user) -> QuerySet[SealUse]:
    return SealUse.objects.filter(centre__in=centres_for(user, (Role.SEAL_KEEPER, Role.MANAGER, Role.LEADER)))


def user_may_edit_template(user, centre) -> bool:
    return has_role(user, centre, *TEMPLATE_ROLES)


def letter_recipients(letter: Letter) -> QuerySet[Tenant]:
    """The tenants a letter goes to, resolved now (delivery fixes the list at stamping)."""
    named = [t.pk for t in letter.recipient_tenants.all()] if letter.recipient_mode == RecipientMode.NAMED else []
    return recipients_matching(centre=letter.centre, mode=letter.recipient_mode, tiers=letter.recipient_tiers,
                               floors=letter.recipient_floors, units=letter.recipient_units,
                               categories=letter.recipient_categories, tenant_ids=named)


def recipients_matching(*, centre, mode: str, tiers=(), floors=(), units=(), categories=(),
                        tenant_ids=()) -> QuerySet[Tenant]:
    """The tenants of `centre` a recipient choice reaches: for a saved letter,
    and for the letter form's live count while the drafter chooses."""
    tenants = Tenant.objects.filter(centre=centre).exclude(status=TenantStatus.LEFT)
    if mode == RecipientMode.TIER:
        tenants = tenants.filter(tier__in=tiers)
    elif mode == RecipientMode.FLOOR:
        tenants = tenants.filter(units__floor__in=floors)
    elif mode == RecipientMode.UNITS:
        tenants = tenants.filter(units__centre=centre, units__number__in=units)
    elif mode == RecipientMode.CATEGORY:
        tenants = tenants.filter(category__in=categories)
    elif mode == RecipientMode.NAMED:
        tenants = tenants.filter(pk__in=tenant_ids)
    return tenants.distinct().order_by("code")


@dataclass
class ApprovalStep:
    task_name: str
    role: str
    status: str
    by: object
    at: datetime | None
    comment: str


def letter_history(letter: Letter) -> list[ApprovalStep]:
    """Every decision on every submission, oldest first, with comments."""
    states = (
        TaskState.objects.for_instance(letter)
        .select_related("task", "finished_by")
        .order_by("started_at", "id")
    )
    steps = []
    for state in states:
        task = state.task.specific
        steps.append(
            ApprovalStep(
                task_name=task.name, role=getattr(task, "role", ""), status=state.get_status_display(),
                by=state.finished_by, at=state.finished_at, comment=state.get_comment() if hasattr(state, "get_comment") else state.comment,
            )
        )
    return steps


def letter_current_workflow_state(letter: Letter) -> WorkflowState | None:
    return WorkflowState.objects.for_instance(letter).order_by("-created_at").first()


# --- deliveries and receipts (issue 5) ---------------------------------------------
# The tenant side: a letter is addressed to the tenant's signatories. Contacts
# who may not sign (clerks, shop staff) do not see the centre's letters.


def deliveries_for_signatory(user) -> QuerySet[Delivery]:
    tenants = tenant_contacts_of(user).filter(may_sign=True).values("tenant")
    return Delivery.objects.filter(tenant__in=tenants, letter__status=LetterStatus.STAMPED)


INBOX_PAGE_SIZE = 50
_NEWEST_FIRST = ("-created_at", "-id")


def _signatory_deliveries(user) -> QuerySet[Delivery]:
    """The same rows as deliveries_for_signatory, with the tenant ids read
    first: `tenant = x` (or a short IN list) lets the database walk the
    tenant's index in order instead of sorting every delivery it matches."""
    tenant_ids = list(tenant_contacts_of(user).filter(may_sign=True).values_list("tenant", flat=True).distinct())
    rows = Delivery.objects.filter(letter__status=LetterStatus.STAMPED)
    rows = rows.filter(tenant=tenant_ids[0]) if len(tenant_ids) == 1 else rows.filter(tenant__in=tenant_ids)
    return rows.select_related("letter", "letter__centre", "tenant", "receipt")


def inbox_segments(user) -> list[Segment]:
    """The inbox in the order a signatory works through it: letters to sign
    with a due date (soonest first), those without one, then the rest, each
    newest first. The first two read the partial index of unsigned rows."""
    rows = _signatory_deliveries(user)
    to_sign = rows.filter(awaiting_receipt=True)
    return [
        Segment(to_sign.filter(letter__sign_by__isnull=False), ("letter__sign_by", *_NEWEST_FIRST)),
        Segment(to_sign.filter(letter__sign_by__isnull=True), _NEWEST_FIRST),
        Segment(rows.filter(awaiting_receipt=False), _NEWEST_FIRST),
    ]


def inbox_page(user, *, after: str = "", before: str = "", size: int = INBOX_PAGE_SIZE) -> Page:
    """One page of /my/letters/ (BadCursor for a page link it cannot read)."""
    return keyset_page(inbox_segments(user), after=after, before=before, size=size)


def inbox_to_sign_for(user, *, limit: int = 10) -> list[Delivery]:
    """The tenant home's first letters to sign, in the inbox's order."""
    return keyset_page(inbox_segments(user)[:2], size=limit).items


def deliveries_visible_to(user) -> QuerySet[Delivery]:
    return Delivery.objects.filter(centre__in=centres_for(user, LETTER_ROLES))


def receipts_visible_to_staff(user) -> QuerySet[Receipt]:
    return Receipt.objects.filter(delivery__centre__in=centres_for(user, LETTER_ROLES))


DELIVERY_FILTERS = ("all", "signed", "viewed", "not_viewed", "overdue", "unknown", "refused")


def letter_deliveries(letter: Letter, show: str = "all") -> QuerySet[Delivery]:
    """The letter's deliveries for its staff page: signed / viewed but not
    signed / not viewed / overdue / notification outcome unknown (an email or
    text handed to the server by a worker that died before it was confirmed:
    not sent again, so staff check with the tenant) / notification refused
    (the mail server or SMS gateway refused the tenant's address or number for
    good: staff tell the tenant another way and correct the contact)."""
    from django.db.models import Count

    from portal.outbox import outcome_unknown_q, refused_q

    qs = (
        Delivery.objects.filter(letter=letter).select_related("tenant", "receipt", "first_viewed_by")
        .prefetch_related("questions__service_request")
        .annotate(reminder_count=Count("reminders"))
    )
    if show == "signed":
        qs = qs.filter(receipt__isnull=False)
    elif show == "viewed":
        qs = qs.filter(receipt__isnull=True, first_viewed_at__isnull=False)
    elif show == "not_viewed":
        qs = qs.filter(receipt__isnull=True, first_viewed_at__isnull=True)
    elif show == "overdue":
        qs = qs.filter(receipt__isnull=True, overdue_at__isnull=False)
    elif show == "unknown":
        qs = qs.filter(outcome_unknown_q())
    elif show == "refused":
        qs = qs.filter(refused_q())
    return qs.order_by("tenant__code")


def letter_delivery_counts(letter: Letter) -> dict[str, int]:
    from django.db.models import Count, Q

    from portal.outbox import outcome_unknown_q, refused_q

    return Delivery.objects.filter(letter=letter).aggregate(
        all=Count("pk"),
        signed=Count("pk", filter=Q(receipt__isnull=False)),
        viewed=Count("pk", filter=Q(receipt__isnull=True, first_viewed_at__isnull=False)),
        not_viewed=Count("pk", filter=Q(receipt__isnull=True, first_viewed_at__isnull=True)),
        overdue=Count("pk", filter=Q(receipt__isnull=True, overdue_at__isnull=False)),
        unknown=Count("pk", filter=outcome_unknown_q()),
        refused=Count("pk", filter=refused_q()),
    )


def _deliveries_to_sign(*, centres, start, end):
    """Deliveries of letters that ask for a signed receipt, made in [start, end)."""
    return Delivery.objects.filter(
        centre__in=centres, letter__requires_receipt=True, created_at__gte=start, created_at__lt=end
    )


def receipt_figures(*, centres, start, end, by_owner: bool = False) -> list[dict]:
    """Sign-for counts per centre for the managers' targets: one grouped
    query, whatever the number of letters. `hours_to_sign` is the mean time
    from delivery to receipt of those signed. With `by_owner` the rows are
    also split by the letter's drafter (who owns its sign-for), the tenant's
    tier and the month of delivery (local time)."""
    groups = ["centre"]
    qs = _deliveries_to_sign(centres=centres, start=start, end=end)
    if by_owner:
        qs = qs.annotate(month=ExtractMonth("created_at"))
        groups += ["letter__drafter", "tenant__tier", "month"]
    rows = (
        qs.values(*groups)
        .annotate(
            delivered=Count("id"),
            signed=Count("receipt"),
            time_to_sign=Avg(F("receipt__signed_at") - F("created_at")),
        )
        .order_by(*groups)
    )
    return [
        {
            "centre": r["centre"], "signed": r["signed"], "delivered": r["delivered"],
            "hours_to_sign": round(r["time_to_sign"].total_seconds() / 3600, 1) if r["time_to_sign"] else None,
            **({"drafter": r["letter__drafter"], "tier": r["tenant__tier"], "month": r["month"]} if by_owner else {}),
        }
        for r in rows
    ]


def unsigned_deliveries(*, centres, start, end) -> QuerySet[Delivery]:
    """The tenants behind a sign-for rate below 100%."""
    return _deliveries_to_sign(centres=centres, start=start, end=end).filter(receipt__isnull=True)
