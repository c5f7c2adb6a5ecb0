from .letters import (
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
