"""Tenants app models, split by topic: the archive (who the tenants are) and
the one-stop service desk (what they asked for)."""

# The organisation lives in the foundation (portal); re-exported here because
# the tenants app's callers think of "a tenant's centre" in these terms.
from portal.models.organisation import Centre, Operator, code_validator, phone_validator

# The feedback board (tenants.feedback) keeps its models in its own package;
# imported here so that Django registers them with the tenants app.
from tenants.feedback.approval import BoardApprovalTask
from tenants.feedback.models import (
    BoardSettings,
    FeedbackPost,
    FeedbackReply,
    HotIssue,
    PhoneBlock,
)
from tenants.models.archive import (
    CONFIDENTIAL_CONTACT_FIELDS,
    CONFIDENTIAL_TENANT_FIELDS,
    Category,
    Contact,
    ContactQuerySet,
    Tenant,
    TenantQuerySet,
    TenantStatus,
    Tier,
    Unit,
)
from tenants.models.documents import (
    AccessGrantStatus,
    ArchiveAccessGrant,
    ArchiveDocument,
    Confidentiality,
    DocumentKind,
    ExpiryReminder,
)
from tenants.models.recordings import CallRecording, RecordingHold, RecordingStatus
from tenants.models.service_desk import (
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
from tenants.models.storage import ImportJob, StorageDeposit

__all__ = [
    "CallRecording", "RecordingHold", "RecordingStatus", "ImportJob", "StorageDeposit",
    "CONFIDENTIAL_TENANT_FIELDS", "CONFIDENTIAL_CONTACT_FIELDS",
    "AccessGrantStatus", "ArchiveAccessGrant", "ArchiveDocument", "Confidentiality", "DocumentKind", "ExpiryReminder",
    "Category", "Centre", "Channel", "Contact", "ContactQuerySet", "DeadlineAlert", "DeadlinePolicy", "Milestone",
    "Operator", "RequestCategory", "RequestEntry", "RequestPhoto", "RequestStatus", "ServiceRequest", "Severity",
    "Tenant", "TenantQuerySet",
    "BoardApprovalTask", "BoardSettings", "FeedbackPost", "FeedbackReply", "HotIssue", "PhoneBlock", "TenantStatus", "Tier", "Unit", "code_validator", "phone_validator",
]
