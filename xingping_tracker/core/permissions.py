"""Permissions of project-wide API views (the apps' own rules live in their permissions modules)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.permissions import BasePermission


class SchemaPermission(BasePermission):
    """The OpenAPI schema and docs: anyone, or only signed-in users where
    ``API_SCHEMA_REQUIRES_SIGN_IN`` (production) says so. Read at request time, not at import."""

    message = "请先登录后再查看接口文档。"

    def has_permission(self, request: Any, view: Any) -> bool:
        return not settings.API_SCHEMA_REQUIRES_SIGN_IN or bool(request.user and request.user.is_authenticated)
