from django.urls import path

from . import views

app_name = "broadcasts"

urlpatterns = [path("<int:recipient_id>/received/", views.confirm, name="confirm")]
