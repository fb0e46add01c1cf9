"""The reminder pages: the notification centre, the send log and the units' reminder settings."""

from django.urls import path

from reminders import views

app_name = "reminders"

urlpatterns = [
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/<int:notification_id>/open/", views.notification_open, name="notification_open"),
    path("notifications/read-all/", views.notification_read_all, name="notification_read_all"),
    path("reminders/deliveries/", views.delivery_list, name="delivery_list"),
    path("reminders/deliveries/<int:delivery_id>/retry/", views.delivery_retry, name="delivery_retry"),
    path("reminders/units/", views.unit_settings_list, name="unit_settings_list"),
    path("reminders/units/<int:department_id>/", views.unit_settings_edit, name="unit_settings_edit"),
]
