"""The dashboard app's API: viewsets on `router`, other views in `extra_urlpatterns` (both mounted under /api/ by xingping_tracker/api_urls.py)."""

from django.db import transaction
from django.urls import path
from rest_framework.routers import SimpleRouter

from dashboard.api.views import DashboardView

router = SimpleRouter()

# Read-only: outside ATOMIC_REQUESTS, so that the cached overview may be used (dashboard.selectors.cached).
extra_urlpatterns: list = [
    path("dashboard/", transaction.non_atomic_requests(DashboardView.as_view()), name="dashboard"),
]
