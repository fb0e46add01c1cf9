"""The assessment API routes (registered under /api/ by xingping_tracker/api_urls.py)."""

from rest_framework.routers import DefaultRouter

from assessment.api.views import AssessmentViewSet

router = DefaultRouter()
router.register("assessments", AssessmentViewSet, basename="assessment")
extra_urlpatterns: list = []
