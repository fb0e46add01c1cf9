"""The offline app's API: viewsets on `router`, other views in `extra_urlpatterns` (both mounted under /api/ by xingping_tracker/api_urls.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from offline.api.views import TemplateDownloadView, TemplateUploadView

router = SimpleRouter()

extra_urlpatterns: list = [
    path("offline/template/", TemplateDownloadView.as_view(), name="offline-template"),
    path("offline/upload/", TemplateUploadView.as_view(), name="offline-upload"),
]
