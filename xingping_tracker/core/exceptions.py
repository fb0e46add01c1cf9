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


class ApplicationError(Exception):
    """An expected failure with a stable code and a Chinese message for the person."""

    http_status = status.HTTP_400_BAD_REQUEST

    def __init__(self, code: ErrorCode, message: str, *, extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra or {}

    def __str__(self) -> str:
        return self.message


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response(
            {"code": str(exc.code), "detail": exc.message, **exc.extra},
            status=exc.http_status,
        )
    return exception_handler(exc, context)
