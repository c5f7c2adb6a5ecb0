from django.urls import path

from tenants import views

app_name = "tenants"

# Mounted at /my/requests/ (portal/urls.py).
urlpatterns = [
    path("", views.my_requests, name="my_requests"),
    path("new/", views.my_request_new, name="my_request_new"),
    path("<int:pk>/", views.my_request, name="my_request"),
    path("<int:pk>/rate/", views.my_request_rate, name="my_request_rate"),
    path("<int:pk>/reopen/", views.my_request_reopen, name="my_request_reopen"),
    path("photos/<int:pk>/", views.request_photo, name="request_photo"),
]
