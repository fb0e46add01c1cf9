"""JSON fields for long Chinese text (the assessment's explanation lines), stored as it reads.

- ``TextJSONEncoder`` keeps non-ASCII characters as they are: with the default ``\\uXXXX`` escapes
  every character became six, each with a backslash the database driver then had to escape.
- ``TextJSONField`` is a JSONField with that encoder whose rows ``bulk_create`` inserts as plain
  ``VALUES`` rows: on PostgreSQL, Django otherwise inserts many rows through ``UNNEST`` of arrays,
  and psycopg escapes every ``"`` of every JSON document for the array literal one regex match at a
  time (storing an assessment's 3.7 MB of lines took 0.8 s; as ``VALUES``, quoted by libpq, 0.05 s).

Decoding is unchanged: any JSON reader reads both forms.
"""

from __future__ import annotations

from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class TextJSONEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder (dates, Decimals) that writes non-ASCII characters as they are."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["ensure_ascii"] = False
        super().__init__(*args, **kwargs)


class TextJSONField(models.JSONField):
    """A JSONField for documents of Chinese text: ``TextJSONEncoder`` by default, and bulk inserts
    as ``VALUES`` rows (a field with ``get_placeholder`` is never inserted through ``UNNEST``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("encoder", TextJSONEncoder)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("encoder") is TextJSONEncoder:
            del kwargs["encoder"]
        return name, path, args, kwargs

    def get_placeholder(self, value: Any, compiler: Any, connection: Any) -> str:
        return "%s"
