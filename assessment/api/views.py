"""/api/assessments/: the annual assessment (目标责任制考核): compute a draft, adjust, finalise,
publish, read. Permissions as the pages (:mod:`access.rules.assessment`)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from access.actor import actor_for
from access.rules import check_can_view_assessments
from assessment import services
from assessment.api import serializers as s
from assessment.models import Assessment
from assessment.selectors import assessment_view, assessments_visible_to, get_assessment
from xingping_tracker.core.api_errors import ERRORS, TRANSITION_ERRORS

TAG = "年度考核"


def _detail(assessment: Assessment, request: Request, *, compare: bool = False) -> dict[str, Any]:
    actor = actor_for(request.user)
    view = assessment_view(assessment, actor=actor)
    data = {
        **s.AssessmentSerializer(assessment).data,
        "rules": assessment.rules,
        "scope": "ranking" if view.is_ranking else "own",
        "results": s.UnitResultSerializer(view.results, many=True).data,
        "adjustments": s.AdjustmentSerializer(view.adjustments, many=True).data,
    }
    if compare and view.is_ranking:
        data["differences"] = s.DifferenceSerializer(services.differences(assessment), many=True).data
    return data


@extend_schema_view(
    list=extend_schema(
        summary="年度考核列表",
        description="当前用户可查看的年度考核：规划科看全部（含草稿）；市领导和各单位看已定稿、已公布的。",
        tags=[TAG],
        responses={200: s.AssessmentSerializer(many=True), **ERRORS},
    ),
)
class AssessmentViewSet(viewsets.GenericViewSet):
    serializer_class = s.AssessmentSerializer
    queryset = Assessment.objects.none()
    pagination_class = None

    def list(self, request: Request) -> Response:
        actor = actor_for(request.user)
        check_can_view_assessments(actor)
        return Response(s.AssessmentSerializer(assessments_visible_to(actor), many=True).data)

    @extend_schema(
        summary="计算年度考核草稿",
        description=(
            "按方案的考核规则计算某年度各单位的考核草稿（已有草稿则重新计算，保留已作的分数调整）。"
            "年度须在规划期内；已定稿的考核不能重新计算。仅规划科可用。"
        ),
        tags=[TAG],
        request=s.DraftInputSerializer,
        responses={200: s.AssessmentDetailSerializer, 201: s.AssessmentDetailSerializer, **TRANSITION_ERRORS},
    )
    def create(self, request: Request) -> Response:
        data = s.DraftInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        existed = Assessment.objects.filter(
            plan_id=data.validated_data["plan"], year=data.validated_data["year"]
        ).exists()
        assessment = services.compute_draft(
            plan_id=data.validated_data["plan"], year=data.validated_data["year"], user=request.user
        )
        return Response(_detail(assessment, request), status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    @extend_schema(
        summary="年度考核详情",
        description=(
            "各单位得分、扣分、加分、一票否优及原因、等次、名次和逐项计算说明，以及分数调整记录。"
            "规划科和市领导看全部单位排名；各单位在公布前只看本单位结果，公布后看排名。"
            "compare=true 时（可看排名者）给出定稿后按现有数据重算与定稿结果的差异。"
        ),
        tags=[TAG],
        parameters=[OpenApiParameter("compare", OpenApiTypes.BOOL, required=False, description="是否给出差异")],
        responses={200: s.AssessmentDetailSerializer, **ERRORS},
    )
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        assessment = get_assessment(pk, actor=actor_for(request.user))
        compare = request.query_params.get("compare", "").strip().lower() in {"1", "true", "yes"}
        return Response(_detail(assessment, request, compare=compare))

    @extend_schema(
        summary="调整单位得分",
        description="规划科对草稿中某单位的得分作加减调整，必须写明理由；调整记录保留。已定稿的考核不能调整。",
        tags=[TAG],
        request=s.AdjustInputSerializer,
        responses={200: s.AssessmentDetailSerializer, **TRANSITION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def adjust(self, request: Request, pk: str | None = None) -> Response:
        assessment = get_assessment(pk, actor=actor_for(request.user))
        data = s.AdjustInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.adjust(
            assessment_id=assessment.pk,
            department_id=data.validated_data["department"],
            delta=data.validated_data["delta"],
            reason=data.validated_data["reason"],
            user=request.user,
        )
        assessment.refresh_from_db()
        return Response(_detail(assessment, request))

    @extend_schema(
        summary="定稿",
        description="冻结考核结果：此后实际值的更正只作为差异显示，不改变定稿结果。仅规划科可用。",
        tags=[TAG],
        request=None,
        responses={200: s.AssessmentDetailSerializer, **TRANSITION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def finalise(self, request: Request, pk: str | None = None) -> Response:
        assessment = get_assessment(pk, actor=actor_for(request.user))
        assessment = services.finalise(assessment_id=assessment.pk, user=request.user)
        return Response(_detail(assessment, request))

    @extend_schema(
        summary="公布",
        description="公布已定稿的考核：各单位此后可看全部单位排名。仅规划科可用。",
        tags=[TAG],
        request=None,
        responses={200: s.AssessmentDetailSerializer, 409: OpenApiResponse(description="尚未定稿"), **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        assessment = get_assessment(pk, actor=actor_for(request.user))
        assessment = services.publish(assessment_id=assessment.pk, user=request.user)
        return Response(_detail(assessment, request))
