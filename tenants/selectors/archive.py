"""Archive documents and confidentiality (R1, R2): whose confidential
fields and documents a reader may see, how a hidden value reads, the
documents and access grants a reader reaches, and the archive's own access
history."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Q

from portal.access import centres_for
from portal.models.audit import AuditEvent
from tenants.models import (
    ArchiveAccessGrant,
    ArchiveDocument,
    Confidentiality,
    Contact,
    Tenant,
)
from tenants.selectors.directory import (
    CENTRE_EDIT_ROLES,
    centres_visible_to,
    tenants_visible_to,
)

CONFIDENTIAL_PERMISSION = "tenants.view_confidential"


def has_confidential_permission(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.has_perm(CONFIDENTIAL_PERMISSION))


def tenants_with_confidential_access(user):
    """Tenants whose confidential documents and fields `user` may see: all
    of their centres' with the permission, else those with a live grant."""
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
# What a confidential document hides: its title and file (its kind and dates show).
CONFIDENTIAL_DOCUMENT_FIELDS = ("title", "file", "original_name")


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
    return ArchiveDocument.objects.filter(tenant__in=tenants_visible_to(user)).filter(
        Q(confidentiality=Confidentiality.NORMAL) | Q(tenant__in=tenants_with_confidential_access(user))
    )


def access_grants_visible_to(user):
    """Managers see the requests of their centres; everyone sees their own."""
    return ArchiveAccessGrant.objects.filter(
        Q(tenant__centre__in=centres_for(user, CENTRE_EDIT_ROLES))
        | Q(requested_by=user, tenant__centre__in=centres_visible_to(user))
    )


def tenant_documents_for(user, tenant) -> tuple[list, bool]:
    """A tenant's documents, newest version first within each kind, and
    whether `user` may open the confidential ones. Confidential rows are
    listed (their existence is not secret) but the caller masks them."""
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
    return ArchiveDocument.objects.current().filter(tenant__in=tenants_visible_to(user)).select_related(
        "tenant", "tenant__centre"
    )


def archive_access_history(tenant, *, limit: int = 100):
    """The audit trail of one tenant's archive: views, downloads, changes and
    access requests of the tenant, its documents, contacts and grants."""
    def ids(qs):
        return [str(pk) for pk in qs.values_list("pk", flat=True)]

    ct = ContentType.objects.get_for_model
    q = Q(content_type=ct(Tenant), object_id=str(tenant.pk))
    q |= Q(content_type=ct(ArchiveDocument), object_id__in=ids(ArchiveDocument.objects.filter(tenant=tenant)))
    q |= Q(content_type=ct(ArchiveAccessGrant), object_id__in=ids(ArchiveAccessGrant.objects.filter(tenant=tenant)))
    q |= Q(content_type=ct(Contact), object_id__in=ids(Contact.objects.filter(tenant=tenant)))
    return AuditEvent.objects.filter(q).select_related("actor").order_by("-at", "-id")[:limit]
