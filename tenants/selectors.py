"""Who sees which tenant records. Views, admin screens and later apps ask
here; nothing re-derives centre scoping on its own."""

from __future__ import annotations

from django.db.models import F, Q

from portal.access import centres_for
from portal.models.accounts import Role, StaffMembership, User
from tenants.contacts import tenant_contacts_of
from tenants.models import Centre, Contact, RequestPhoto, ServiceRequest, Tenant, Unit

# Roles that work with tenant archives. Web editors/reviewers publish pages
# and have no business in the archive.
ARCHIVE_ROLES = (Role.OPERATIONS, Role.DRAFTER, Role.LEADER, Role.SEAL_KEEPER, Role.MANAGER)
ARCHIVE_EDIT_ROLES = (Role.OPERATIONS,)
CENTRE_EDIT_ROLES = (Role.MANAGER,)


def centres_visible_to(user):
    return centres_for(user, ARCHIVE_ROLES)


def centres_editable_by(user):
    return centres_for(user, CENTRE_EDIT_ROLES)


def archive_centres_editable_by(user):
    return centres_for(user, ARCHIVE_EDIT_ROLES)


def tenants_visible_to(user):
    return Tenant.objects.filter(centre__in=centres_visible_to(user))


def units_visible_to(user):
    return Unit.objects.filter(centre__in=centres_visible_to(user))


def contacts_visible_to(user):
    return Contact.objects.filter(tenant__centre__in=centres_visible_to(user))


def tenants_of_contact(user):
    """The tenants a tenant-side user speaks for."""
    return Tenant.objects.filter(pk__in=tenant_contacts_of(user).values("tenant"))


def tenant_home_for(user) -> list[dict]:
    """What the tenant home shows: one block per tenant the user is a contact of."""
    contacts = list(tenant_contacts_of(user).prefetch_related("tenant__units"))
    return [
        {
            "contact": c,
            "tenant": c.tenant,
            "centre": c.tenant.centre,
            "units": list(c.tenant.units.all()),
        }
        for c in contacts
    ]


def centre_by_pk_for(user, pk) -> Centre | None:
    return centres_visible_to(user).filter(pk=pk).first()


# --- Service desk ------------------------------------------------------------
# Who handles requests (records, replies, assigns, closes): the operations
# service staff and managers. Other archive roles read the log of their centre.
REQUEST_HANDLE_ROLES = (Role.OPERATIONS, Role.MANAGER)


def requests_visible_to_staff(user):
    return ServiceRequest.objects.filter(centre__in=centres_visible_to(user))


def request_centres_handled_by(user):
    return centres_for(user, REQUEST_HANDLE_ROLES)


def requests_of_tenant_user(user):
    """Requests a tenant-side user may follow: their own tenants' only."""
    return ServiceRequest.objects.filter(tenant__in=tenants_of_contact(user))


def requests_visible_to(user):
    return ServiceRequest.objects.filter(
        Q(centre__in=centres_visible_to(user)) | Q(tenant__in=tenants_of_contact(user))
    )


def request_photos_visible_to(user):
    return RequestPhoto.objects.filter(request__in=requests_visible_to(user).values("pk"))


def request_timeline_for(service_request, *, staff: bool):
    """The timeline a reader sees: tenants never see internal notes."""
    entries = service_request.entries.select_related("author").prefetch_related("photos")
    return entries if staff else entries.filter(public=True)


def assignable_staff(centre):
    """Staff who may be given a request of `centre`: anyone working there."""
    memberships = StaffMembership.objects.active().filter(
        Q(centre=centre) | Q(centre__isnull=True, operator_id=centre.operator_id)
    ).exclude(role__in=[Role.WEB_EDITOR, Role.WEB_REVIEWER])
    return User.objects.filter(pk__in=memberships.values("user")).order_by("full_name", "email")


def centre_managers(centre):
    memberships = StaffMembership.objects.active().filter(role=Role.MANAGER).filter(
        Q(centre=centre) | Q(centre__isnull=True, operator_id=centre.operator_id)
    )
    return User.objects.filter(pk__in=memberships.values("user"))


# --- Figures for the managers' audit (R6, R26) -------------------------------
FIGURE_GROUPS = {"centre": ("centre", "centre__name"), "category": ("category",), "month": ("month",)}


def _rate(met: int, missed: int) -> float | None:
    decided = met + missed
    return round(100.0 * met / decided, 1) if decided else None


def request_figures(*, centres, start=None, end=None, group_by=("centre", "category", "month"), now=None) -> list[dict]:
    """Deadline, repeat-complaint and satisfaction figures per group.

    A deadline counts once it is decided: met (done in time), or missed (done
    late, or still not done after the deadline). Requests whose deadline is
    still ahead count in neither, so a busy morning does not look like a
    failure. Months are Shanghai months, not UTC ones."""
    from zoneinfo import ZoneInfo

    from django.conf import settings
    from django.db.models.functions import TruncMonth
    from django.utils import timezone

    now = now or timezone.now()
    qs = ServiceRequest.objects.filter(centre__in=centres)
    if start is not None:
        qs = qs.filter(created_at__gte=start)
    if end is not None:
        qs = qs.filter(created_at__lt=end)
    fields = [f for g in group_by for f in FIGURE_GROUPS[g]]
    rows = (
        qs.annotate(month=TruncMonth("created_at", tzinfo=ZoneInfo(settings.TIME_ZONE)))
        .values(*fields)
        .annotate(**_figure_counts(now))
        .order_by(*fields)
    )
    return [_with_rates(row) for row in rows]


def _figure_counts(now) -> dict:
    """The counts behind the figures, as aggregates for one group."""
    from django.db.models import Avg, Count, F

    return {
        "total": Count("id"),
        "response_met": Count("id", filter=Q(responded_at__lte=F("response_due"))),
        "response_missed": Count(
            "id", filter=Q(responded_at__gt=F("response_due")) | Q(responded_at__isnull=True, response_due__lt=now)
        ),
        "answer_met": Count("id", filter=Q(answer_due__isnull=False, answered_at__lte=F("answer_due"))),
        "answer_missed": Count(
            "id",
            filter=Q(answer_due__isnull=False)
            & (Q(answered_at__gt=F("answer_due")) | Q(answered_at__isnull=True, answer_due__lt=now)),
        ),
        "resolution_met": Count("id", filter=Q(resolution_due__isnull=False, closed_at__lte=F("resolution_due"))),
        "resolution_missed": Count(
            "id",
            filter=Q(resolution_due__isnull=False)
            & (Q(closed_at__gt=F("resolution_due")) | Q(closed_at__isnull=True, resolution_due__lt=now)),
        ),
        "complaints": Count("id", filter=Q(category="complaint")),
        "repeat_complaints": Count("id", filter=Q(is_repeat_complaint=True)),
        "rated": Count("rating"),
        "satisfied": Count("id", filter=Q(rating__gte=4)),
        "rating_avg": Avg("rating"),
    }


def _with_rates(row: dict) -> dict:
    """One group's counts with its rates (percent, or None when nothing was decided)."""
    row["response_rate"] = _rate(row["response_met"], row["response_missed"])
    row["answer_rate"] = _rate(row["answer_met"], row["answer_missed"])
    row["resolution_rate"] = _rate(row["resolution_met"], row["resolution_missed"])
    row["repeat_complaint_rate"] = (
        round(100.0 * row["repeat_complaints"] / row["complaints"], 1) if row["complaints"] else None
    )
    row["satisfaction_rate"] = round(100.0 * row["satisfied"] / row["rated"], 1) if row["rated"] else None
    row["rating_avg"] = round(row["rating_avg"], 2) if row["rating_avg"] is not None else None
    if "month" in row and hasattr(row["month"], "date"):
        row["month"] = row["month"].date() if callable(row["month"].date) else row["month"]
    return row


# --- Archive documents and confidentiality (R1, R2) ---------------------------
CONFIDENTIAL_PERMISSION = "tenants.view_confidential"


def has_confidential_permission(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.has_perm(CONFIDENTIAL_PERMISSION))


def tenants_with_confidential_access(user):
    """Tenants whose confidential documents and fields `user` may see: all
    of their centres' with the permission, else those with a live grant."""
    from tenants.models import ArchiveAccessGrant

    visible = tenants_visible_to(user)
    if has_confidential_permission(user):
        return visible
    granted = ArchiveAccessGrant.objects.active().filter(requested_by=user).values("tenant")
    return visible.filter(pk__in=granted)


def may_see_confidential(user, tenant) -> bool:
    return tenants_with_confidential_access(user).filter(pk=tenant.pk).exists()


# How a confidential value reads to someone who may not see it. The one rule
# for fields (rent, lease terms, personal phones) and documents alike.
MASK = "••••••"


def masked(value, *, shown: bool, empty=MASK):
    """`value` as this reader may see it: itself, or the mask. `empty` is what
    a blank value reads as (a personal phone nobody gave stays blank)."""
    if shown:
        return value
    return MASK if value else empty


def documents_mark_masked(user, documents) -> None:
    """Set `.masked` on each document: a confidential one whose tenant `user`
    may not open. One query for any number of tenants. Confidential rows stay
    listed (their existence is not secret); their title and file do not show."""
    tenant_ids = {d.tenant_id for d in documents if d.is_confidential}
    allowed = set(
        tenants_with_confidential_access(user).filter(pk__in=tenant_ids).values_list("pk", flat=True)
    ) if tenant_ids else set()
    for doc in documents:
        doc.masked = doc.is_confidential and doc.tenant_id not in allowed


def documents_visible_to(user):
    from tenants.models import ArchiveDocument, Confidentiality

    return ArchiveDocument.objects.filter(tenant__in=tenants_visible_to(user)).filter(
        Q(confidentiality=Confidentiality.NORMAL) | Q(tenant__in=tenants_with_confidential_access(user))
    )


def access_grants_visible_to(user):
    """Managers see the requests of their centres; everyone sees their own."""
    from tenants.models import ArchiveAccessGrant

    return ArchiveAccessGrant.objects.filter(
        Q(tenant__centre__in=centres_for(user, CENTRE_EDIT_ROLES))
        | Q(requested_by=user, tenant__centre__in=centres_visible_to(user))
    )


def is_centre_manager(user, centre) -> bool:
    from portal.access import has_role

    return has_role(user, centre, *CENTRE_EDIT_ROLES)


def tenant_documents_for(user, tenant) -> tuple[list, bool]:
    """A tenant's documents, newest version first within each kind, and
    whether `user` may open the confidential ones. Confidential rows are
    listed (their existence is not secret) but the caller masks them."""
    from tenants.models import ArchiveDocument

    may_see = may_see_confidential(user, tenant)
    docs = list(
        ArchiveDocument.objects.filter(tenant=tenant).select_related("uploaded_by", "replaces").order_by(
            "kind", F("superseded_at").desc(nulls_first=True), "-uploaded_at"
        )
    )
    documents_mark_masked(user, docs)
    return docs, may_see


def documents_listing_for(user):
    """Current documents of the user's centres, for the expiry listing."""
    from tenants.models import ArchiveDocument

    return ArchiveDocument.objects.current().filter(tenant__in=tenants_visible_to(user)).select_related(
        "tenant", "tenant__centre"
    )


def archive_access_history(tenant, *, limit: int = 100):
    """The audit trail of one tenant's archive: views, downloads, changes and
    access requests of the tenant, its documents, contacts and grants."""
    from django.contrib.contenttypes.models import ContentType

    from portal.models.audit import AuditEvent
    from tenants.models import ArchiveAccessGrant, ArchiveDocument

    def ids(qs):
        return [str(pk) for pk in qs.values_list("pk", flat=True)]

    ct = ContentType.objects.get_for_model
    q = Q(content_type=ct(Tenant), object_id=str(tenant.pk))
    q |= Q(content_type=ct(ArchiveDocument), object_id__in=ids(ArchiveDocument.objects.filter(tenant=tenant)))
    q |= Q(content_type=ct(ArchiveAccessGrant), object_id__in=ids(ArchiveAccessGrant.objects.filter(tenant=tenant)))
    q |= Q(content_type=ct(Contact), object_id__in=ids(Contact.objects.filter(tenant=tenant)))
    return AuditEvent.objects.filter(q).select_related("actor").order_by("-at", "-id")[:limit]


# --- Call recordings (R7) -----------------------------------------------------
def recordings_visible_to(user):
    """Recordings are heard only by those who handle the centre's requests."""
    from tenants.models import CallRecording

    return CallRecording.objects.filter(request__centre__in=request_centres_handled_by(user))


def recording_holds_visible_to(user):
    from tenants.models import RecordingHold

    return RecordingHold.objects.filter(recording__request__centre__in=request_centres_handled_by(user))


# --- Temporary storage log (R8) -----------------------------------------------
def storage_visible_to(user):
    from tenants.models import StorageDeposit

    return StorageDeposit.objects.filter(centre__in=centres_visible_to(user))
