"""The indicators API routes (registered under /api/ by xingping_tracker/api_urls.py)."""

from rest_framework.routers import DefaultRouter

from indicators.api.views import TargetViewSet

router = DefaultRouter()
router.register("targets", TargetViewSet, basename="target")
extra_urlpatterns: list = []
