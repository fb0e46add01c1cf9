"""Template filters of the reminder pages."""

from __future__ import annotations

from django import template

from reminders import pages

register = template.Library()


@register.filter
def stage_label(stage: str) -> str:
    """``wd_before_7`` → 截止前第7个工作日."""
    return pages.stage_label(stage or "")


@register.filter
def recipient_list(recipients: str) -> list[str]:
    """A delivery's recipients (one a line) as a list."""
    return pages.recipient_list(recipients or "")
