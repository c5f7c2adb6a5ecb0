from django.urls import path

from notices.views import inbox as views

app_name = "notices_inbox"

# Mounted at /my/letters/ (portal/urls.py).
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/", views.letter, name="letter"),
    path("<int:pk>/pdf/", views.letter_pdf, name="pdf"),
    path("<int:pk>/pages/<int:page>/", views.letter_page_image, name="page"),
    path("<int:pk>/code/", views.send_code, name="code"),
    path("<int:pk>/sign/", views.sign, name="sign"),
    path("<int:pk>/question/", views.question, name="question"),
    path("<int:pk>/receipt/", views.receipt_pdf, name="receipt"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment, name="attachment"),
]
