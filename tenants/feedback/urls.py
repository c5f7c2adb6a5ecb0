from django.urls import path

from tenants.feedback import views

app_name = "feedback"

# Mounted at /feedback/ (portal/urls.py).
urlpatterns = [
    path("", views.board_index, name="index"),
    path("<slug:code>/", views.board, name="board"),
    path("<slug:code>/new/", views.post_new, name="new"),
    path("<slug:code>/<int:pk>/", views.post_detail, name="post"),
]
