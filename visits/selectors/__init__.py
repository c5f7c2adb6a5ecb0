from .access import (
    dashboard_centres_for,
    is_visit_staff,
    meeting_minutes_for_tenant_user,
    meetings_for_tenant_user,
    meetings_visible_to_staff,
    open_surveys_for_tenant_user,
    planned_visits_visible_to,
    sees_dashboard,
    surveys_visible_to_staff,
    visit_centres_for,
    visit_photos_visible_to,
    visit_records_visible_to,
)

__all__ = [
    "dashboard_centres_for", "is_visit_staff", "meeting_minutes_for_tenant_user", "meetings_for_tenant_user", "meetings_visible_to_staff",
    "open_surveys_for_tenant_user", "planned_visits_visible_to", "sees_dashboard", "surveys_visible_to_staff", "visit_centres_for",
    "visit_photos_visible_to", "visit_records_visible_to",
]
