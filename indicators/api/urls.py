"""The indicators API routes (registered under /api/ by xingping_tracker/api_urls.py)."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()
extra_urlpatterns: list = []
