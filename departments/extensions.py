"""What departments offers the apps above it, which it never imports (the layering in the README):

- ``group_units_changed``: sent inside the writer's transaction after the members or the kind of
  placeholder groups changed, with ``group_ids``. The tasks app refreshes the effective units of
  the tasks naming those groups (``tasks.apps``), so the table follows in the same transaction.
- the task facts a unit's pages show (the admin's list and change page, the units API): how many
  tasks a unit leads and supports, and which. The tasks app provides them (``tasks.apps``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.dispatch import Signal

group_units_changed = Signal()


def announce_group_units_changed(*, group_ids: list[int]) -> None:
    group_units_changed.send(sender=None, group_ids=list(group_ids))


_task_facts: dict[str, Callable[..., Any]] = {}


def provide_task_facts(*, counts: Callable[[QuerySet], QuerySet], overview: Callable[..., dict[str, Any]]) -> None:
    """Called once by the tasks app: ``counts(queryset)`` annotates ``led_task_count`` and
    ``supported_task_count``; ``overview(department=...)`` returns the unit's led and supported tasks."""
    _task_facts.update(counts=counts, overview=overview)


def _fact(name: str) -> Callable[..., Any]:
    try:
        return _task_facts[name]
    except KeyError:
        raise ImproperlyConfigured(
            "The tasks app provides the units' task facts (tasks.apps); is it installed?"
        ) from None


def with_task_counts(queryset: QuerySet) -> QuerySet:
    """``queryset`` of units annotated with ``led_task_count`` and ``supported_task_count``."""
    return _fact("counts")(queryset)


def task_overview(*, department: Any) -> dict[str, Any]:
    """``{"department", "led", "supporting"}``: the tasks the unit leads and supports."""
    return _fact("overview")(department=department)
