"""The OpenAPI schema at /api/schema/, generated once per process and language.

drf-spectacular generates the schema afresh for every request: about 200 ms of a web process's CPU,
which any signed-in user could ask for again and again. The schema depends only on the code (the
URLs, views and serializers; ``SERVE_PUBLIC`` is on, so it is the same for every user) and on the
language and API version asked for, so it is kept per process under those. A change of the URL
configuration or of drf-spectacular's settings (tests override them) forgets what was kept.
"""

from __future__ import annotations

import threading
from typing import Any, ClassVar

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator

_RESET_BY = frozenset({"ROOT_URLCONF", "SPECTACULAR_SETTINGS", "REST_FRAMEWORK"})


class KeptSchemaGenerator(SchemaGenerator):
    """drf-spectacular's generator; :meth:`get_schema` generates once per (version, language, public).
    The schema view is its only user (the project's URLs, no ``patterns``); the dict it returns is the
    kept one, rendered by the view and not to be changed."""

    _kept: ClassVar[dict[tuple[Any, ...], dict[str, Any]]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def get_schema(self, request: Any = None, public: bool = False) -> dict[str, Any]:
        key = (self.api_version, translation.get_language(), public)
        schema = self._kept.get(key)
        if schema is None:
            with self._lock:  # two first requests at once generate it once
                schema = self._kept.get(key)
                if schema is None:
                    schema = self._kept[key] = super().get_schema(request=request, public=public)
        return schema

    @classmethod
    def forget(cls) -> None:
        with cls._lock:
            cls._kept.clear()


@receiver(setting_changed)
def _forget_on_settings_change(*, setting: str, **kwargs: Any) -> None:
    if setting in _RESET_BY:
        KeptSchemaGenerator.forget()
