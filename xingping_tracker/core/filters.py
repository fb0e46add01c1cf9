"""Query-string filters: the one rule for a bad filter value, shared by the API, the pages' selectors
and every FilterSet.

- :func:`check_filters` turns an invalid FilterSet into ``ApplicationError(INVALID)`` with the
  (Chinese) errors per parameter: the API's 400 in its error shape. Selectors that filter through a
  FilterSet call it; :class:`FilterBackend` (the API's filter backend) calls it too.
- :class:`IntegerRangeFilter` (and :func:`year_filter`) take whole numbers within a range only, so
  no value reaches the database that it, or Python's dates, cannot hold (``deadline__year=0``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

import django_filters
from django import forms
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field

from xingping_tracker.core.exceptions import ApplicationError, ErrorCode

F = TypeVar("F", bound=django_filters.FilterSet)

INVALID_FILTERS = "筛选条件有误，请检查后重试。"


def check_filters(filterset: F) -> F:
    """``filterset`` once valid; otherwise ``ApplicationError(INVALID)`` with ``errors`` per parameter."""
    if not filterset.is_valid():
        raise ApplicationError(
            ErrorCode.INVALID,
            INVALID_FILTERS,
            extra={"errors": {name: [str(e) for e in errors] for name, errors in filterset.errors.items()}},
        )
    return filterset


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend (it also documents the filters in the schema) with the product's 400."""

    def filter_queryset(self, request: Any, queryset: Any, view: Any) -> Any:
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        return check_filters(filterset).qs


class IntegerRangeFilter(django_filters.NumberFilter):
    """A whole number from ``min_value`` to ``max_value``; anything else is refused with ``message``
    (Chinese, naming the range), e.g. "完成年份应为1到9999之间的整数，如 2025。"."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, min_value: int, max_value: int, message: str, **kwargs: Any):
        errors = {key: message for key in ("invalid", "min_value", "max_value")}
        super().__init__(*args, min_value=min_value, max_value=max_value, error_messages=errors, **kwargs)

    def get_max_validator(self) -> None:
        return None  # max_value is the field's own


def year_filter(*, field_name: str, label: str, help_text: str = "") -> IntegerRangeFilter:
    """A year (``field_name__year``) from 1 to 9999, the years a Python date can have."""
    year = IntegerRangeFilter(
        field_name=field_name,
        lookup_expr="year",
        label=label,
        help_text=help_text,
        min_value=dt.MINYEAR,
        max_value=dt.MAXYEAR,
        message=f"{label}应为{dt.MINYEAR}到{dt.MAXYEAR}之间的整数，如 2025。",
    )
    return extend_schema_field({"type": "integer", "minimum": dt.MINYEAR, "maximum": dt.MAXYEAR})(year)
