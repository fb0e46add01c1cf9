"""The two refusals every rule module raises."""

from __future__ import annotations

from xingping_tracker.core.exceptions import ApplicationError, ErrorCode


def denied(message: str) -> ApplicationError:
    """A write (or a page) the actor may not use: 403 with ``message``."""
    return ApplicationError(ErrorCode.PERMISSION_DENIED, message)


def not_found(message: str) -> ApplicationError:
    """Something the actor may not see: the same answer as for something that does not exist (404)."""
    return ApplicationError(ErrorCode.NOT_FOUND, message)
