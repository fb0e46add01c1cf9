"""The reminder pages: the notification centre and the send log."""

from django.urls import path

from reminders import views

app_name = "reminders"

urlpatterns = [
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/<int:notification_id>/open/", views.notification_open, name="notification_open"),
    path("notifications/read-all/", views.notification_read_all, name="notification_read_all"),
    path("reminders/deliveries/", views.delivery_list, name="delivery_list"),
    path("reminders/deliveries/<int:delivery_id>/retry/", views.delivery_retry, name="delivery_retry"),
]
