"""The exports API: the ledger and the meeting pack as .xlsx (same filters and permissions as the pages)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from exports import services
from exports.downloads import XLSX_CONTENT_TYPE, XlsxRenderer, xlsx_response
from exports.selectors import ROLE_CHOICES, STATUS_CHOICES

TAG = "导出"


class ExportErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="invalid（筛选条件有误）、permission_denied、not_found")
    detail = serializers.CharField(help_text="中文说明")
    errors = serializers.DictField(required=False, help_text="出错的参数及说明")


ERRORS = {
    400: OpenApiResponse(ExportErrorSerializer, description="筛选条件有误（如找不到该填报期），附中文说明"),
    403: OpenApiResponse(ExportErrorSerializer, description="单位用户只能导出本单位的任务台账"),
    404: OpenApiResponse(ExportErrorSerializer, description="无权查看（会议材料仅限规划科和领导）"),
}
PERIOD = OpenApiParameter("period", OpenApiTypes.INT, description="填报期编号；缺省为最近开放的填报期")
SHEETS_PARAMETER = OpenApiParameter(
    "sheets",
    OpenApiTypes.STR,
    description="要下载的表（可重复或用逗号分隔）：cover 封面汇总、attention 逾期及风险任务、binding 约束性指标、"
    "units 各单位完成情况、unit_sheets 各单位分表（含“其他单位”）、ledger 完整台账；"
    "缺省为除完整台账外的全部表（可打印的会议材料）。未知的表返回 400 及中文说明。",
)
XLSX = {(200, XLSX_CONTENT_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description=".xlsx 文件（附件，中文文件名）")}


class LedgerExportView(APIView):
    renderer_classes = [JSONRenderer, XlsxRenderer]

    @extend_schema(
        tags=[TAG],
        summary="导出台账（.xlsx）",
        description="一任务一行：序号、章节、任务内容、牵头单位、配合单位、完成时限、进展情况、存在问题、下步打算、"
        "状态、灯及本期指标实际值。规划科和领导可导出任意筛选；单位用户只能导出本单位（牵头或配合）的任务，"
        "且只显示已报送的报告（草稿不导出）。",
        parameters=[
            PERIOD,
            OpenApiParameter("unit", OpenApiTypes.INT, description="单位编号（牵头或配合，按实际责任单位）"),
            OpenApiParameter("role", OpenApiTypes.STR, enum=[v for v, _ in ROLE_CHOICES], description="与 unit 同用：只看牵头或配合"),
            OpenApiParameter("section", OpenApiTypes.INT, description="章节编号（含下级章节）"),
            OpenApiParameter("status", OpenApiTypes.STR, enum=[v for v, _ in STATUS_CHOICES], description="推进状态；unreported 为未报送"),
            OpenApiParameter("light", OpenApiTypes.STR, enum=["green", "yellow", "red"], description="灯色"),
        ],
        responses={**XLSX, **ERRORS},
    )
    def get(self, request: Request) -> Any:
        handle, filename = services.ledger_for_request(user=request.user, params=request.query_params)
        return xlsx_response(handle, filename)


class MeetingPackExportView(APIView):
    renderer_classes = [JSONRenderer, XlsxRenderer]

    @extend_schema(
        tags=[TAG],
        summary="下载会议材料（.xlsx）",
        description="对标分析专题会（半年）或年度总结专题会的会议材料，按 A4 打印排版（正文10磅）：封面汇总（一页）、"
        "逾期及风险任务（红灯、黄灯各有上限，注明未列出的项数）、约束性指标、各单位完成情况（含图表）、"
        "有需研究任务的牵头单位分表及“其他单位”表；可选完整台账。仅限规划科和领导。",
        parameters=[PERIOD, SHEETS_PARAMETER],
        responses={**XLSX, **ERRORS},
    )
    def get(self, request: Request) -> Any:
        handle, filename = services.meeting_pack_for_request(user=request.user, params=request.query_params)
        return xlsx_response(handle, filename)
