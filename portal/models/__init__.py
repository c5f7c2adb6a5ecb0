from .accounts import Department, Invitation, Role, StaffMembership, User
from .audit import AuditChainHead, AuditEvent
from .broadcasts import (
    AlertKind,
    AlertLevel,
    AlertRecipient,
    AlertStatus,
    BroadcastAlert,
    GreetingStatus,
    HolidayGreeting,
)
from .fee_notices import FeeNotice
from .handbook import HandbookAcknowledgement, HandbookEdition, PdfStatus
from .organisation import Centre, Operator
from .outbox import NotifyClaim, OutboxEntry
from .pages import (
    Audience,
    CentreHomePage,
    FeeItem,
    FeeKind,
    FeeScheduleIndexPage,
    FeeSchedulePage,
    HandbookChapterPage,
    HandbookPage,
    NoticeAttachment,
    NoticeCategory,
    NoticeIndexPage,
    NoticePage,
    PortalIndexPage,
)

__all__ = [
    "AlertKind",
    "AlertLevel",
    "AlertRecipient",
    "AlertStatus",
    "Audience",
    "BroadcastAlert",
    "CentreHomePage",
    "FeeItem",
    "FeeKind",
    "FeeNotice",
    "FeeScheduleIndexPage",
    "FeeSchedulePage",
    "GreetingStatus",
    "HandbookAcknowledgement",
    "HandbookChapterPage",
    "HandbookEdition",
    "HandbookPage",
    "HolidayGreeting",
    "NoticeAttachment",
    "NoticeCategory",
    "NoticeIndexPage",
    "NoticePage",
    "PdfStatus",
    "PortalIndexPage",
    "AuditChainHead",
    "AuditEvent",
    "Centre",
    "Department",
    "Operator",
    "NotifyClaim",
    "OutboxEntry",
    "Invitation",
    "Role",
    "StaffMembership",
    "User",
]
