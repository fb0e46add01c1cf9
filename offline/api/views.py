"""The offline app's API: download the unit's template, upload it back."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from access.actor import actor_for
from access.rules import check_can_use_templates
from offline.template import build_template
from offline.upload import apply_upload
from offline.views import read_upload, xlsx_response
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode

TAG = "离线填报"


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(error_messages={"required": "请上传填写好的填报模板（.xlsx），字段名为 file。"})


class TemplateDownloadView(APIView):
    @extend_schema(
        tags=[TAG],
        summary="下载本单位的填报模板（.xlsx）",
        parameters=[OpenApiParameter("period", OpenApiTypes.INT, description="开放中的填报期；省略时为本单位最新开放的一期")],
        responses={(200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY},
    )
    def get(self, request: Request):
        template = build_template(user=request.user, period_id=request.query_params.get("period"))
        return xlsx_response(template.filename, template.content)


class TemplateUploadView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        tags=[TAG],
        summary="上传填写好的填报模板",
        description="整体校验：有任何问题时返回 400 和问题清单（工作表、行、列、说明），不写入任何内容；"
        "全部无误时在一个事务中保存为草稿，返回新建、更新和未改动的数量。",
        request={"multipart/form-data": UploadSerializer},
        responses={200: OpenApiResponse(description="汇总"), 400: OpenApiResponse(description="问题清单")},
    )
    def post(self, request: Request) -> Response:
        # Who may upload is decided before the file is looked at (as on the page).
        check_can_use_templates(actor_for(request.user))
        serializer = UploadSerializer(data=request.data)
        if not serializer.is_valid():
            raise ApplicationError(ErrorCode.INVALID, "请上传填写好的填报模板（.xlsx），字段名为 file。",
                                   extra={"errors": serializer.errors})
        data, name = read_upload(serializer.validated_data["file"])
        result = apply_upload(data=data, filename=name, user=request.user)
        return Response(result.as_dict())
