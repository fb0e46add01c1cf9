"""/api/targets/: the targets with their evaluation; /api/targets/<id>/actuals/: the series, and the
plan office's entry of a year's value."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from access.actor import actor_for
from access.rules.indicators import check_can_list_targets, check_can_view_target
from indicators import selectors, services
from indicators.api.serializers import (
    IndicatorTargetSerializer,
    OfficialActualInputSerializer,
    OfficialActualSerializer,
    SeriesEntrySerializer,
)
from indicators.trajectory import TrajectoryStatus, evaluate
from tasks.models import Target
from xingping_tracker.core.api_errors import ERRORS
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode
from xingping_tracker.core.pagination import PageNumberPagination

TAG = "指标监测"

YEAR = OpenApiParameter(
    "year", OpenApiTypes.INT, required=False, description="统计年份（按该年及以前的数据判断；默认今年）"
)


def _int(raw: str, *, name: str, label: str) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise ApplicationError(ErrorCode.INVALID, f"{name} 应为{label}（整数）。")
    return int(raw)


def _year(request: Request) -> int:
    year = _int(request.query_params.get("year", ""), name="year", label="四位年份")
    if year is not None and not 1900 <= year <= 2100:
        raise ApplicationError(ErrorCode.INVALID, "year 应为四位年份，如 2024。")
    return year or timezone.localdate().year


ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="指标编号")


class TargetViewSet(viewsets.ViewSet):
    """Read the targets (with their evaluation) and their actual series; enter a year's value."""

    lookup_value_regex = r"\d+"

    def _target(self, pk: Any) -> Target:
        target = (
            Target.objects.select_related("task__plan")
            .filter(pk=_int(str(pk), name="id", label="指标编号") or 0)
            .first()
        )
        if target is None:
            raise ApplicationError(ErrorCode.NOT_FOUND, "找不到该指标，或您无权查看。")
        check_can_view_target(actor_for(self.request.user), target)
        return target

    @extend_schema(
        summary="指标列表",
        description=(
            "方案的量化指标（任务12—44等），含基期值、目标值与年份、方向与口径、责任单位、最新实际值与进度状态"
            "（超前/正常/滞后/数据尚未发布；无数据不计为0）。单位账号只看到本单位牵头或配合任务的指标。"
        ),
        tags=[TAG],
        parameters=[
            OpenApiParameter("plan", OpenApiTypes.INT, required=False, description="方案编号；不填为全部方案"),
            OpenApiParameter(
                "kind",
                OpenApiTypes.STR,
                required=False,
                enum=[k for k, _ in selectors.KIND_CHOICES],
                description="binding 约束性 / incentive 激励性 / expected 预期性",
            ),
            OpenApiParameter(
                "status", OpenApiTypes.STR, required=False, enum=TrajectoryStatus.values, description="进度状态"
            ),
            OpenApiParameter("unit", OpenApiTypes.INT, required=False, description="责任（牵头）单位编号"),
            YEAR,
        ],
        responses={200: IndicatorTargetSerializer(many=True), **ERRORS},
    )
    def list(self, request: Request) -> Response:
        try:
            check_can_list_targets(actor_for(request.user))
        except ApplicationError:
            return Response({"count": 0, "next": None, "previous": None, "results": []})
        params = request.query_params
        kind = params.get("kind", "").strip()
        if kind and kind not in dict(selectors.KIND_CHOICES):
            raise ApplicationError(ErrorCode.INVALID, "kind 应为 binding、incentive 或 expected。")
        status_ = params.get("status", "").strip()
        if status_ and status_ not in TrajectoryStatus.values:
            raise ApplicationError(ErrorCode.INVALID, "status 应为 ahead、on_track、behind 或 no_data。")
        rows = selectors.plan_targets(
            plan_id=_int(params.get("plan", ""), name="plan", label="方案编号"),
            user=request.user,
            as_of_year=_year(request),
            kind=kind,
            status=status_,
            unit_id=_int(params.get("unit", ""), name="unit", label="单位编号"),
        )
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(IndicatorTargetSerializer(page, many=True).data)

    @extend_schema(
        summary="指标详情",
        description="一个指标的全部字段与进度评价（含中文说明）。",
        tags=[TAG],
        parameters=[ID, YEAR],
        responses={200: IndicatorTargetSerializer, **ERRORS},
    )
    def retrieve(self, request: Request, pk: Any = None) -> Response:
        target = self._target(pk)
        spec = selectors.target_spec(target)
        evaluation = evaluate(spec, selectors.actual_series([target.pk])[target.pk], as_of_year=_year(request))
        row = selectors.TargetRow(
            target=target,
            spec=spec,
            evaluation=evaluation,
            lead_units=selectors.lead_unit_names([target.task_id]).get(target.task_id, ()),
        )
        return Response(IndicatorTargetSerializer(row).data)

    @extend_schema(
        methods=["GET"],
        summary="指标实际值序列",
        description="单位报告（已报送或已审核的牵头单位报告）与规划科录入的实际值，含数据截至日期、来源、录入人；同一年份以规划科录入为准。",
        tags=[TAG],
        parameters=[ID],
        responses={200: SeriesEntrySerializer(many=True), **ERRORS},
    )
    @extend_schema(
        methods=["POST"],
        summary="录入或更正指标实际值",
        description="规划科录入某一年份的实际值（须填写理由）；同一年份再次录入即为更正，历史保留。不改动单位报告的原文。",
        tags=[TAG],
        parameters=[ID],
        request=OfficialActualInputSerializer,
        responses={201: OfficialActualSerializer, **ERRORS},
    )
    @action(detail=True, methods=["get", "post"], url_path="actuals")
    def actuals(self, request: Request, pk: Any = None) -> Response:
        target = self._target(pk)
        if request.method == "GET":
            return Response(SeriesEntrySerializer(selectors.series_entries(target), many=True).data)
        serializer = OfficialActualInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = services.record_official_actual(target_id=target.pk, user=request.user, **serializer.validated_data)
        return Response(OfficialActualSerializer(entry).data, status=status.HTTP_201_CREATED)
