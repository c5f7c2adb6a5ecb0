from django.urls import path

from . import views

app_name = "pages"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("notice/<int:page_id>/file/<int:attachment_id>/", views.notice_attachment, name="notice_attachment"),
    path("handbook/edition/<int:edition_id>.pdf", views.handbook_pdf, name="handbook_pdf"),
    path("handbook/edition/<int:edition_id>/acknowledge/", views.handbook_ack, name="handbook_ack"),
]
