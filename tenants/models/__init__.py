"""Tenants app models, split by topic: the archive (who the tenants are) and
the one-stop service desk (what they asked for)."""

from .archive import (
    Category,
    Centre,
    Contact,
    ContactQuerySet,
    Operator,
    Tenant,
    TenantQuerySet,
    TenantStatus,
    Tier,
    Unit,
    code_validator,
    phone_validator,
)
from .documents import (
    AccessGrantStatus,
    ArchiveAccessGrant,
    ArchiveDocument,
    Confidentiality,
    DocumentKind,
    ExpiryReminder,
)
from .service_desk import (
    Channel,
    DeadlineAlert,
    DeadlinePolicy,
    Milestone,
    RequestCategory,
    RequestEntry,
    RequestPhoto,
    RequestStatus,
    ServiceRequest,
    Severity,
)

__all__ = [
    "AccessGrantStatus", "ArchiveAccessGrant", "ArchiveDocument", "Confidentiality", "DocumentKind", "ExpiryReminder",
    "Category", "Centre", "Channel", "Contact", "ContactQuerySet", "DeadlineAlert", "DeadlinePolicy", "Milestone",
    "Operator", "RequestCategory", "RequestEntry", "RequestPhoto", "RequestStatus", "ServiceRequest", "Severity",
    "Tenant", "TenantQuerySet", "TenantStatus", "Tier", "Unit", "code_validator", "phone_validator",
]
