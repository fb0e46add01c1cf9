"""django-simple-history's ``HistoricalRecords``, with its history manager class built once.

simple-history's ``HistoryDescriptor`` answers ``instance.history`` and ``Model.history`` with
``HistoryManager.from_queryset(HistoricalQuerySet)(...)``: a new manager class each time, every
queryset method copied onto it through ``inspect.getmembers`` (about 0.3 ms). It reads that
attribute for every historical record it writes, so each save of a tracked model paid for a class
that is the same every time. The models declare ``HistoricalRecords`` from here, whose manager
remembers the class it made for a queryset class; the records, the history tables and their
migrations are simple-history's own.
"""

from __future__ import annotations

import functools
from typing import Any

from simple_history.manager import HistoryManager
from simple_history.models import HistoricalRecords as SimpleHistoricalRecords


class HistoryManagerMadeOnce(HistoryManager):
    """simple-history's manager; ``from_queryset`` builds its class once per queryset class."""

    @classmethod
    @functools.cache
    def from_queryset(cls, queryset_class: type, class_name: str | None = None) -> type:
        return super().from_queryset(queryset_class, class_name)


class HistoricalRecords(SimpleHistoricalRecords):
    """``simple_history.models.HistoricalRecords`` with :class:`HistoryManagerMadeOnce` as its
    history manager (unless another is given)."""

    def __init__(self, *args: Any, history_manager: type = HistoryManagerMadeOnce, **kwargs: Any) -> None:
        super().__init__(*args, history_manager=history_manager, **kwargs)
