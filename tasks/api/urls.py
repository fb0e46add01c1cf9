from rest_framework.routers import SimpleRouter

from tasks.api.views import PlanViewSet, SectionViewSet, TaskViewSet

router = SimpleRouter()
router.register("plans", PlanViewSet, basename="plan")
router.register("sections", SectionViewSet, basename="section")
router.register("tasks", TaskViewSet, basename="task")

urlpatterns = router.urls
