"""Template helpers for the plan office's partials."""

from __future__ import annotations

from django import template

from progress.models import ProgressReport
from progress.services.task_review import completion_basis
from tasks.models import Task

register = template.Library()


@register.simple_tag
def completion_basis_for(task: Task) -> ProgressReport | None:
    """The accepted "completed" lead report that allows closing ``task`` (None: it cannot be closed yet)."""
    return completion_basis(task.pk)
