"""One application error type with stable codes; the API maps it to responses.

Messages are Chinese and say what to do; codes are stable English identifiers for programs.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class ErrorCode(StrEnum):
    IMPORT_EMPTY = "import_empty"
    IMPORT_BINARY = "import_binary"
    IMPORT_UNDECODABLE = "import_undecodable"
    IMPORT_NO_TASKS = "import_no_tasks"
    IMPORT_DUPLICATE_TASK = "import_duplicate_task"
    IMPORT_TOO_LARGE = "import_too_large"
    IMPORT_BAD_FORMAT = "import_bad_format"
    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    INVALID = "invalid"
    # progress reporting and review
    ILLEGAL_TRANSITION = "illegal_transition"
    PERIOD_NOT_OPEN = "period_not_open"
    PLAN_CLOSED = "plan_closed"
    VERSION_CONFLICT = "version_conflict"
    COMMENT_REQUIRED = "comment_required"
    REPORT_INCOMPLETE = "report_incomplete"
    NOT_ASSIGNED = "not_assigned"
    EVIDENCE_TOO_LARGE = "evidence_too_large"
    EVIDENCE_BAD_TYPE = "evidence_bad_type"
    EVIDENCE_TOO_MANY = "evidence_too_many"
    COMPLETION_NOT_ALLOWED = "completion_not_allowed"
    EXTENSION_PENDING = "extension_pending"
    PRECONDITION_REQUIRED = "precondition_required"
    # signing in
    LOCKED_OUT = "locked_out"


# Codes answered with something other than 400 Bad Request.
HTTP_STATUS_BY_CODE: dict[ErrorCode, int] = {
    ErrorCode.NOT_FOUND: status.HTTP_404_NOT_FOUND,
    ErrorCode.PERMISSION_DENIED: status.HTTP_403_FORBIDDEN,
    ErrorCode.VERSION_CONFLICT: status.HTTP_412_PRECONDITION_FAILED,
    ErrorCode.ILLEGAL_TRANSITION: status.HTTP_409_CONFLICT,
    ErrorCode.PERIOD_NOT_OPEN: status.HTTP_409_CONFLICT,
    ErrorCode.PLAN_CLOSED: status.HTTP_409_CONFLICT,
    ErrorCode.EXTENSION_PENDING: status.HTTP_409_CONFLICT,
    ErrorCode.EVIDENCE_TOO_LARGE: status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    ErrorCode.PRECONDITION_REQUIRED: status.HTTP_428_PRECONDITION_REQUIRED,
    ErrorCode.LOCKED_OUT: status.HTTP_429_TOO_MANY_REQUESTS,
}


class ApplicationError(Exception):
    """An expected failure with a stable code and a Chinese message for the person."""

    def __init__(self, code: ErrorCode, message: str, *, extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra or {}

    def __str__(self) -> str:
        return self.message

    @property
    def http_status(self) -> int:
        return HTTP_STATUS_BY_CODE.get(self.code, status.HTTP_400_BAD_REQUEST)


NOT_FOUND_MESSAGE = "找不到该内容，或您无权查看。"
INVALID_MESSAGE = "提交的内容有误，请按提示修改。"
PARSE_ERROR_MESSAGE = "请求内容无法解析，请检查格式（如 JSON 是否完整、引号是否成对）。"


def error_body(code: str, detail: str, **extra: Any) -> dict[str, Any]:
    """The API's error shape: a stable ``code``, a Chinese ``detail``, and e.g. ``errors`` per field."""
    return {"code": code, "detail": detail, **extra}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every error in one shape (:func:`error_body`): the product's ``ApplicationError`` and DRF's own
    (validation, parse, authentication, permission, not found, method, throttling)."""
    if isinstance(exc, ApplicationError):
        return Response(error_body(str(exc.code), exc.message, **exc.extra), status=exc.http_status)
    if isinstance(exc, Http404):  # get_object_or_404's English "No Task matches the given query."
        exc = exceptions.NotFound(NOT_FOUND_MESSAGE)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = error_body(str(ErrorCode.INVALID), INVALID_MESSAGE, errors=errors)
    elif isinstance(exc, exceptions.ParseError):
        response.data = error_body(str(ErrorCode.INVALID), PARSE_ERROR_MESSAGE)
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        response.data = error_body(exc.default_code, str(detail) or str(exc.default_detail))
    return response


def api_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404: JSON in the error shape for a path under /api/, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            error_body(str(ErrorCode.NOT_FOUND), "找不到该接口，请对照 /api/docs/ 检查地址。"),
            status=status.HTTP_404_NOT_FOUND,
            json_dumps_params={"ensure_ascii": False},
        )
    return defaults.page_not_found(request, exception)
