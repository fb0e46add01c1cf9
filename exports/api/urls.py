"""The exports app's API: viewsets on `router`, other views in `extra_urlpatterns` (both mounted under /api/ by xingping_tracker/api_urls.py)."""

from rest_framework.routers import SimpleRouter

router = SimpleRouter()

extra_urlpatterns: list = []
