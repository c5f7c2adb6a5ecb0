from django.urls import path

from notices.fire import views

app_name = "fire"

urlpatterns = [
    path("", views.my_cases, name="my_cases"),
    path("<int:pk>/", views.my_case, name="my_case"),
    path("photos/<int:pk>/", views.photo, name="photo"),
]
