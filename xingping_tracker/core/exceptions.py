"""One application error type with stable codes; the API maps it to responses.

Messages are Chinese and say what to do; codes are stable English identifiers for programs.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from rest_framework import status
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


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response(
            {"code": str(exc.code), "detail": exc.message, **exc.extra},
            status=exc.http_status,
        )
    return exception_handler(exc, context)
