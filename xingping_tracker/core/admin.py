"""Admin pieces shared by the apps."""

from __future__ import annotations

from typing import Any

from xingping_tracker.core.changes import announce


class AnnouncesChangesAdmin:
    """A ModelAdmin whose saves and deletions announce ``change_topics`` (the admin is the service
    for the rows it edits: :mod:`xingping_tracker.core.changes`). Inlines are saved through
    ``save_related``, so they are covered too."""

    change_topics: tuple[str, ...] = ()

    def _announce(self) -> None:
        if self.change_topics:
            announce(*self.change_topics)

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        self._announce()

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)  # type: ignore[misc]
        self._announce()

    def delete_model(self, request: Any, obj: Any) -> None:
        super().delete_model(request, obj)  # type: ignore[misc]
        self._announce()

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        super().delete_queryset(request, queryset)  # type: ignore[misc]
        self._announce()
