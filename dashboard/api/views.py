"""GET /api/dashboard/: the leadership dashboard's overview of one period, as JSON."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from access.actor import actor_for
from access.rules import check_can_view_board
from dashboard.api.serializers import ATTENTION_LIMIT, ATTENTION_MAX, OverviewSerializer
from dashboard.selectors.cached import dashboard_overview
from dashboard.selectors.periods import default_period
from progress.models import ReviewPeriod
from xingping_tracker.core.api_errors import ERRORS
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode

TAG = "领导看板"
REFUSAL = "领导看板仅供规划科和市领导查看。"


def _period(raw: str) -> ReviewPeriod:
    raw = raw.strip()
    if raw:
        if not raw.isdigit():
            raise ApplicationError(ErrorCode.INVALID, "period 应为填报期编号（整数），可从 /api/periods/ 查得。")
        period = ReviewPeriod.objects.select_related("plan").filter(pk=int(raw)).first()
        if period is None:
            raise ApplicationError(ErrorCode.NOT_FOUND, "找不到该填报期。")
        return period
    period = default_period()
    if period is None:
        raise ApplicationError(ErrorCode.NOT_FOUND, "还没有开放过填报期。")
    return period


class DashboardView(APIView):
    @extend_schema(
        summary="领导看板",
        description=(
            "一个填报期的总体情况：完成率、推进状态分布、各章节、各牵头单位（按时/逾期/未报送、配合单位未反馈）、"
            "红黄绿灯（含判定规则）、约束性指标（目标、最新实际值、一票否优风险）、需关注任务和历期趋势。"
            "与领导看板页面、专题会材料的数字一致。仅规划科和市领导可查看。"
        ),
        tags=[TAG],
        parameters=[
            OpenApiParameter(
                "period", OpenApiTypes.INT, required=False, description="填报期编号；不填为最新开放的填报期"
            ),
            OpenApiParameter(
                "attention_limit",
                OpenApiTypes.INT,
                required=False,
                description=f"attention 中最多返回的任务数（默认 {ATTENTION_LIMIT}，最大 {ATTENTION_MAX}）",
            ),
        ],
        responses={
            200: OverviewSerializer,
            **{k: v for k, v in ERRORS.items()},
            403: OpenApiResponse(description=REFUSAL),
        },
    )
    def get(self, request: Request) -> Response:
        try:
            check_can_view_board(actor_for(request.user))
        except ApplicationError:
            raise ApplicationError(ErrorCode.PERMISSION_DENIED, REFUSAL) from None
        limit = _limit(request.query_params.get("attention_limit", ""))
        overview = dashboard_overview(_period(request.query_params.get("period", "")), attention=limit)
        return Response(OverviewSerializer(overview, context={"attention_limit": limit}).data)


def _limit(raw: str) -> int:
    raw = raw.strip()
    if not raw:
        return ATTENTION_LIMIT
    if not raw.isdigit() or not 0 <= int(raw) <= ATTENTION_MAX:
        raise ApplicationError(ErrorCode.INVALID, f"attention_limit 应为 0 到 {ATTENTION_MAX} 之间的整数。")
    return int(raw)
