"""``{% load progress_numbers %}``: ``{{ value|plain_number }}`` shows a decimal as people write it (4.2, 12, 0.35)."""

from __future__ import annotations

from django import template

from progress.formatting import plain_decimal

register = template.Library()


@register.filter
def plain_number(value: object) -> str:
    return plain_decimal(value)
