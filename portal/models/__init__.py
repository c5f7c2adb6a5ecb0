from .accounts import Department, Invitation, Role, StaffMembership, User
from .audit import AuditChainHead, AuditEvent

__all__ = [
    "AuditChainHead",
    "AuditEvent",
    "Department",
    "Invitation",
    "Role",
    "StaffMembership",
    "User",
]
