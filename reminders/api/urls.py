from rest_framework.routers import SimpleRouter

from reminders.api.views import NotificationViewSet, ReminderDeliveryViewSet

router = SimpleRouter()
router.register("notifications", NotificationViewSet, basename="notification")
router.register("reminder-deliveries", ReminderDeliveryViewSet, basename="reminder-delivery")

urlpatterns = router.urls
