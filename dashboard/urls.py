"""The dashboard app's pages (mounted at the site root by xingping_tracker/urls.py)."""

from django.urls import path

from dashboard import views

app_name = "dashboard"

urlpatterns: list = [
    path("dashboard/", views.home, name="home"),
    path("dashboard/tasks/", views.tasks, name="tasks"),
]
