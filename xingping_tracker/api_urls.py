"""The API under /api/: the read routes of every app, and the token endpoint."""

from typing import Any

from django.db import transaction
from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from assessment.api.urls import extra_urlpatterns as assessment_extra
from assessment.api.urls import router as assessment_router
from dashboard.api.urls import extra_urlpatterns as dashboard_extra
from dashboard.api.urls import router as dashboard_router
from departments.api.urls import router as departments_router
from evaluation.api.urls import extra_urlpatterns as evaluation_extra
from evaluation.api.urls import router as evaluation_router
from exports.api.urls import extra_urlpatterns as exports_extra
from exports.api.urls import router as exports_router
from indicators.api.urls import extra_urlpatterns as indicators_extra
from indicators.api.urls import router as indicators_router
from offline.api.urls import extra_urlpatterns as offline_extra
from offline.api.urls import router as offline_router
from progress.api.urls import router as progress_router
from reminders.api.urls import router as reminders_router
from tasks.api.urls import router as tasks_router
from xingping_tracker.core import sign_in
from xingping_tracker.core.authentication import issue_token
from xingping_tracker.core.exceptions import INVALID_MESSAGE, ErrorCode, error_body

app_name = "api"


@extend_schema_view(
    post=extend_schema(
        summary="获取令牌",
        description="用用户名和密码换取 API 令牌；之后在请求头中携带 `Authorization: Token <令牌>`。",
        tags=["认证"],
    )
)
class ObtainTokenView(ObtainAuthToken):
    """DRF's token endpoint, counted by the sign-in lock-out and giving a new token once the old expired."""

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        valid = serializer.is_valid()
        # Answered here rather than raised: a raised error would mark the transaction for rollback.
        if sign_in.is_locked_out(request):
            return Response(
                error_body(str(ErrorCode.LOCKED_OUT), sign_in.lockout_message()),
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        if not valid:
            return Response(
                error_body(str(ErrorCode.INVALID), INVALID_MESSAGE, errors=serializer.errors),
                status=status.HTTP_400_BAD_REQUEST,
            )
        token = issue_token(serializer.validated_data["user"])
        return Response({"token": token.key})


router = DefaultRouter()
for app_router in (
    tasks_router,
    departments_router,
    progress_router,
    reminders_router,
    dashboard_router,
    exports_router,
    offline_router,
    indicators_router,
    assessment_router,
    evaluation_router,
):
    router.registry.extend(app_router.registry)

urlpatterns = [
    # Outside ATOMIC_REQUESTS: a refused sign-in's failure count must be kept, not rolled back with the 400.
    path("auth/token/", transaction.non_atomic_requests(ObtainTokenView.as_view()), name="auth-token"),
    *dashboard_extra,
    *exports_extra,
    *offline_extra,
    *indicators_extra,
    *assessment_extra,
    *evaluation_extra,
    *router.urls,
]
