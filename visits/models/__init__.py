from .exports import AuditExport, ExportKind, ExportStatus
from .meetings import (
    AttendanceMethod,
    Meeting,
    MeetingAttendance,
    MeetingGap,
    MeetingKind,
    MeetingSuggestion,
)
from .plans import (
    SPECIAL_CHOICES,
    PlannedVisit,
    PlannedVisitStatus,
    ReminderSent,
    TenantYear,
    TierChange,
    VisitPlan,
    VisitPolicy,
)
from .records import (
    IN_PERSON_MODES,
    UnitCheckIn,
    UnitCode,
    VisitMode,
    VisitPhoto,
    VisitRecord,
)
from .surveys import (
    SATISFIED_SCORE,
    Dimension,
    Survey,
    SurveyQuestion,
    SurveyResponse,
    SurveyScore,
    SurveyStatus,
)

__all__ = [
    "IN_PERSON_MODES", "SATISFIED_SCORE", "SPECIAL_CHOICES", "AttendanceMethod", "AuditExport", "Dimension",
    "ExportKind", "ExportStatus", "Meeting", "MeetingAttendance", "MeetingGap", "MeetingKind", "MeetingSuggestion", "PlannedVisit",
    "PlannedVisitStatus", "ReminderSent", "Survey", "SurveyQuestion", "SurveyResponse", "SurveyScore", "SurveyStatus", "TenantYear", "TierChange",
    "UnitCheckIn", "UnitCode", "VisitMode", "VisitPhoto", "VisitPlan", "VisitPolicy", "VisitRecord",
]
