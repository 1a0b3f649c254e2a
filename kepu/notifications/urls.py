from django.urls import path

from kepu.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read-all/", views.read_all, name="read_all"),
    path("<id:notification_id>/", views.open_notification, name="open"),
]
