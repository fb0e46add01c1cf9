"""The API under /api/: the read routes of every app, and the token endpoint."""

from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.routers import DefaultRouter

from dashboard.api.urls import extra_urlpatterns as dashboard_extra
from dashboard.api.urls import router as dashboard_router
from departments.api.urls import router as departments_router
from exports.api.urls import extra_urlpatterns as exports_extra
from exports.api.urls import router as exports_router
from offline.api.urls import extra_urlpatterns as offline_extra
from offline.api.urls import router as offline_router
from progress.api.urls import router as progress_router
from reminders.api.urls import router as reminders_router
from tasks.api.urls import router as tasks_router

app_name = "api"


@extend_schema_view(
    post=extend_schema(
        summary="获取令牌",
        description="用用户名和密码换取 API 令牌；之后在请求头中携带 `Authorization: Token <令牌>`。",
        tags=["认证"],
    )
)
class ObtainTokenView(ObtainAuthToken):
    pass


router = DefaultRouter()
for app_router in (
    tasks_router,
    departments_router,
    progress_router,
    reminders_router,
    dashboard_router,
    exports_router,
    offline_router,
):
    router.registry.extend(app_router.registry)

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="auth-token"),
    *dashboard_extra,
    *exports_extra,
    *offline_extra,
    *router.urls,
]
