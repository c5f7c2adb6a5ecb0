from notices.models.delivery import (
    CertificateState,
    Delivery,
    DeliveryState,
    LetterQuestion,
    Receipt,
    Reminder,
    SignCode,
    SignMethod,
)
from notices.models.letters import (
    AttachmentsFrozen,
    Letter,
    LetterAttachment,
    LetterKind,
    LetterStatus,
    RecipientMode,
    SealUse,
)
from notices.models.receipts_zip import ArchiveStatus, ReceiptsArchive
from notices.models.templates import DocumentSequence, LetterTemplate
from notices.models.workflow import CentreRoleApprovalTask

__all__ = [
    "ArchiveStatus",
    "ReceiptsArchive",
    "AttachmentsFrozen",
    "CertificateState",
    "Delivery",
    "DeliveryState",
    "LetterQuestion",
    "Receipt",
    "Reminder",
    "SignCode",
    "SignMethod",
    "CentreRoleApprovalTask",
    "DocumentSequence",
    "Letter",
    "LetterAttachment",
    "LetterKind",
    "LetterStatus",
    "LetterTemplate",
    "RecipientMode",
    "SealUse",
]
