from rest_framework.routers import SimpleRouter

from progress.api.views import (
    EvidenceViewSet,
    ExtensionRequestViewSet,
    ProgressReportViewSet,
    ReviewPeriodViewSet,
    TaskProgressViewSet,
)

router = SimpleRouter()
router.register("periods", ReviewPeriodViewSet, basename="period")
router.register("reports", ProgressReportViewSet, basename="report")
router.register("evidence", EvidenceViewSet, basename="evidence")
router.register("extension-requests", ExtensionRequestViewSet, basename="extension-request")
router.register("task-progress", TaskProgressViewSet, basename="task-progress")

urlpatterns = router.urls
