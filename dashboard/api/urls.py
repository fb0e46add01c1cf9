"""The dashboard app's API: viewsets on `router`, other views in `extra_urlpatterns` (both mounted under /api/ by xingping_tracker/api_urls.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from dashboard.api.views import DashboardView

router = SimpleRouter()

extra_urlpatterns: list = [path("dashboard/", DashboardView.as_view(), name="dashboard")]
