from .delivery import (
    CertificateState,
    Delivery,
    DeliveryState,
    LetterQuestion,
    Receipt,
    Reminder,
    SignCode,
    SignMethod,
)
from .letters import (
    AttachmentsFrozen,
    Letter,
    LetterAttachment,
    LetterKind,
    LetterStatus,
    RecipientMode,
    SealUse,
)
from .templates import DocumentSequence, LetterTemplate
from .workflow import CentreRoleApprovalTask

__all__ = [
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
