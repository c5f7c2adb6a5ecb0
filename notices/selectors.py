"""Who sees which letters, and what a letter resolves to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from wagtail.models import TaskState, WorkflowState

from portal.access import centres_for, has_role
from portal.models.accounts import Role
from tenants.models import Tenant, TenantStatus

from .models import Letter, RecipientMode, SealUse

LETTER_ROLES = (Role.DRAFTER, Role.LEADER, Role.SEAL_KEEPER, Role.MANAGER, Role.OPERATIONS)
DRAFT_ROLES = (Role.DRAFTER,)
TEMPLATE_ROLES = (Role.MANAGER, Role.SEAL_KEEPER)


def letters_visible_to(user) -> QuerySet[Letter]:
    return Letter.objects.filter(centre__in=centres_for(user, LETTER_ROLES))


def seal_uses_visible_to(user) -> QuerySet[SealUse]:
    return SealUse.objects.filter(centre__in=centres_for(user, (Role.SEAL_KEEPER, Role.MANAGER, Role.LEADER)))


def user_may_edit_template(user, centre) -> bool:
    return has_role(user, centre, *TEMPLATE_ROLES)


def letter_recipients(letter: Letter) -> QuerySet[Tenant]:
    """The tenants a letter goes to, resolved now (delivery fixes the list at stamping)."""
    tenants = Tenant.objects.filter(centre=letter.centre).exclude(status=TenantStatus.LEFT)
    mode = letter.recipient_mode
    if mode == RecipientMode.TIER:
        tenants = tenants.filter(tier__in=letter.recipient_tiers)
    elif mode == RecipientMode.FLOOR:
        tenants = tenants.filter(units__floor__in=letter.recipient_floors)
    elif mode == RecipientMode.CATEGORY:
        tenants = tenants.filter(category__in=letter.recipient_categories)
    elif mode == RecipientMode.NAMED:
        tenants = tenants.filter(pk__in=[t.pk for t in letter.recipient_tenants.all()])
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
