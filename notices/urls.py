from django.urls import path

from notices.views import public as views

app_name = "notices"

urlpatterns = [
    path("verify/", views.verify, name="verify"),
]
