from django.urls import path

from .views import meetings, staff, surveys

app_name = "visits"

# Mounted at /visits/ (portal/urls.py). Staff pages first, then the tenant side.
urlpatterns = [
    path("", staff.my_visits, name="my_visits"),
    path("record/", staff.record_new, name="record_new"),
    path("records/<int:pk>/", staff.record_detail, name="record"),
    path("photos/<int:pk>/", staff.visit_photo, name="photo"),
    path("scan/<str:token>/", staff.scan, name="scan"),
    path("codes/<int:centre_pk>/", staff.qr_sheet, name="qr_sheet"),
    path("codes/unit/<int:unit_pk>/renew/", staff.qr_renew, name="qr_renew"),
    path("planned/<int:pk>/reassign/", staff.reassign, name="reassign"),
    path("plans/<int:centre_pk>/refresh/", staff.plan_refresh, name="plan_refresh"),
    path("meetings/", meetings.meeting_list, name="meetings"),
    path("meetings/<int:pk>/", meetings.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/door/", meetings.meeting_door, name="meeting_door"),
    path("meetings/<int:pk>/minutes-file/", meetings.minutes_file, name="minutes_file"),
    path("surveys/manage/", surveys.survey_list, name="surveys"),
    path("surveys/manage/<int:pk>/", surveys.survey_detail, name="survey"),
    path("surveys/manage/<int:pk>/status/", surveys.survey_status, name="survey_status"),
    # Tenant side
    path("door/<str:token>/", meetings.door, name="door"),
    path("my/meetings/", meetings.my_meetings, name="my_meetings"),
    path("my/meetings/<int:pk>/", meetings.my_meeting, name="my_meeting"),
    path("surveys/<int:pk>/", surveys.survey_answer_view, name="survey_answer"),
    # A shop's contact without an account: the signed link of their invitation.
    path("surveys/answer/<str:token>/", surveys.survey_link_answer, name="survey_link"),
]
