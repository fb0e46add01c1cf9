"""The API's error body and the error responses every API documents (drf-spectacular), shared by
the apps' API views: the shape ``{"code", "detail", "errors"}`` in which
:mod:`xingping_tracker.core.exceptions` renders an :class:`ApplicationError`."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="稳定的错误代码，如 invalid、permission_denied、illegal_transition")
    detail = serializers.CharField(help_text="给人看的中文说明，指明如何处理")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False, help_text="逐字段的错误（400 时）"
    )


ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="输入有误（errors 给出逐字段的中文说明）"),
    401: OpenApiResponse(ErrorSerializer, description="未登录或令牌无效"),
    403: OpenApiResponse(ErrorSerializer, description="无权进行该操作（如市领导账号的任何修改）"),
    404: OpenApiResponse(ErrorSerializer, description="不存在，或无权查看（不透露是否存在）"),
}

TRANSITION_ERRORS = {
    **ERRORS,
    409: OpenApiResponse(ErrorSerializer, description="当前状态不允许该操作（illegal_transition）或填报期未开放"),
}
