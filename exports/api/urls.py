"""The exports app's API: viewsets on `router`, other views in `extra_urlpatterns` (both mounted under /api/ by xingping_tracker/api_urls.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from exports.api.views import LedgerExportView, MeetingPackExportView

router = SimpleRouter()

extra_urlpatterns: list = [
    path("exports/ledger/", LedgerExportView.as_view(), name="export-ledger"),
    path("exports/meeting-pack/", MeetingPackExportView.as_view(), name="export-meeting-pack"),
]
