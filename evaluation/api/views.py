"""The evaluation API: the report (.xlsx or .docx), ending a plan, carrying its unfinished tasks.
Same services and permissions as the pages."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from access.actor import actor_for
from access.rules import check_can_view_board
from evaluation.document import DOCX_CONTENT_TYPE
from evaluation.services import closing
from evaluation.services.reports import evaluation_file
from exports.downloads import XLSX_CONTENT_TYPE, BinaryRenderer, XlsxRenderer, file_response
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode

TAG = "规划评估"


class DocxRenderer(BinaryRenderer):
    media_type = DOCX_CONTENT_TYPE
    format = "docx"


class EvaluationErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="invalid、plan_closed、permission_denied、not_found")
    detail = serializers.CharField(help_text="中文说明")
    errors = serializers.DictField(required=False, help_text="出错的参数及说明")


ERRORS = {
    400: OpenApiResponse(EvaluationErrorSerializer, description="参数有误（日期格式、文件格式、所选任务等），附中文说明"),
    403: OpenApiResponse(EvaluationErrorSerializer, description="只有规划科可以结束方案或转入任务"),
    404: OpenApiResponse(EvaluationErrorSerializer, description="找不到该方案，或无权查看（评估报告仅限规划科和领导）"),
    409: OpenApiResponse(EvaluationErrorSerializer, description="方案已结束（重复结束、转入已结束的方案）"),
}


class PlanStateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    state = serializers.CharField(help_text="active 进行中，closed 已结束")
    state_display = serializers.CharField()
    closed_at = serializers.DateTimeField(allow_null=True)


def _plan_state(plan: Any) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "title": plan.title,
        "state": plan.state,
        "state_display": plan.get_state_display(),
        "closed_at": plan.closed_at,
    }


class CloseRequestSerializer(serializers.Serializer):
    confirm = serializers.BooleanField(help_text="须为 true：确认结束方案（不能撤销）")


class CarryRequestSerializer(serializers.Serializer):
    target_plan = serializers.IntegerField(help_text="转入的方案编号（进行中，且不是本方案）")
    tasks = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="要转入的任务编号；缺省为本方案全部未完成任务"
    )


class CarriedTaskSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="新任务编号")
    number = serializers.IntegerField(help_text="新任务在新方案中的序号")
    carried_from = serializers.IntegerField(help_text="原任务编号")


class CarryResponseSerializer(serializers.Serializer):
    created = CarriedTaskSerializer(many=True)


def _validated(serializer: serializers.Serializer) -> Any:
    if not serializer.is_valid():
        raise ApplicationError(ErrorCode.INVALID, "提交的内容有误，请按提示修改。", extra={"errors": serializer.errors})
    return serializer.validated_data


class EvaluationReportView(APIView):
    renderer_classes = [JSONRenderer, XlsxRenderer, DocxRenderer]

    @extend_schema(
        tags=[TAG],
        summary="下载规划评估报告（.xlsx 或 .docx）",
        description="中期评估（规划期内）或总结评估（规划期结束后）：主要指标完成情况（约束性在前，各年实际值、完成进度、"
        "预计能否完成/是否完成）、各章节任务推进情况（含牵头单位最新进展）、各单位历期报送情况（按时、逾期、未报送）、"
        "未完成任务清单。document=xlsx 为数据表，docx 为报告初稿。仅限规划科和领导。",
        parameters=[
            OpenApiParameter("as_of", OpenApiTypes.DATE, description="数据截止日期（YYYY-MM-DD），缺省为今天"),
            OpenApiParameter("document", OpenApiTypes.STR, enum=["xlsx", "docx"], description="文件格式，缺省 xlsx"),
        ],
        responses={
            (200, XLSX_CONTENT_TYPE): OpenApiResponse(
                OpenApiTypes.BINARY, description=".xlsx 文件（附件，中文文件名）"
            ),
            (200, DOCX_CONTENT_TYPE): OpenApiResponse(
                OpenApiTypes.BINARY, description=".docx 文件（附件，中文文件名）"
            ),
            **ERRORS,
        },
    )
    def get(self, request: Request, plan_id: int) -> Any:
        made = evaluation_file(
            user=request.user,
            plan_id=plan_id,
            as_of=request.query_params.get("as_of"),
            fmt=request.query_params.get("document"),
        )
        return file_response(made.handle, made.filename, made.content_type)


class PlanCloseView(APIView):
    @extend_schema(
        tags=[TAG],
        summary="结束方案",
        description="规划科将方案标记为“已结束”：正在填报的填报期随即关闭，此后不能再填报、审核或开放填报期；"
        "方案仍可查看和导出。须 confirm=true；已结束的方案不能重复结束。",
        request=CloseRequestSerializer,
        responses={200: PlanStateSerializer, **ERRORS},
    )
    def post(self, request: Request, plan_id: int) -> Response:
        check_can_view_board(actor_for(request.user))  # to others the evaluation pages do not exist
        data = _validated(CloseRequestSerializer(data=request.data))
        plan = closing.close_plan(plan_id=plan_id, user=request.user, confirm=data["confirm"])
        return Response(PlanStateSerializer(_plan_state(plan)).data)


class PlanCarryView(APIView):
    @extend_schema(
        tags=[TAG],
        summary="转入未完成任务",
        description="把本方案的未完成任务（全部或所选）复制到另一个进行中的方案，编号接续其最后一项，保留牵头、配合单位"
        "和量化目标；新任务的 carried_from 指向原任务（任务页显示“承接自…”）。不能转入本方案或已结束的方案，"
        "已转入的任务不能重复转入。",
        request=CarryRequestSerializer,
        responses={201: CarryResponseSerializer, **ERRORS},
    )
    def post(self, request: Request, plan_id: int) -> Response:
        check_can_view_board(actor_for(request.user))
        data = _validated(CarryRequestSerializer(data=request.data))
        created = closing.carry_tasks(
            source_plan_id=plan_id, target_plan_id=data["target_plan"], user=request.user, task_ids=data.get("tasks")
        )
        rows = [{"id": t.pk, "number": t.number, "carried_from": t.carried_from_id} for t in created]
        return Response(CarryResponseSerializer({"created": rows}).data, status=201)
