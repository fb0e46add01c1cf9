"""Pieces of hand-written SQL shared by the apps' selectors and stores: placeholders for a list of
values, the condition "a column is one of these ids", in hand-written SQL (:func:`ids_in`) and in
the ORM (the lookup ``in_ids``, :class:`InIds`), and many rows inserted at once
(:func:`insert_rows`: one statement on PostgreSQL)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Lookup


def placeholders(values: list[Any]) -> str:
    """``%s, %s, …``: one placeholder per value of ``values``."""
    return ", ".join(["%s"] * len(values))


def insert_rows(cursor: Any, model: Any, columns: tuple[str, ...], rows: list[tuple], *, suffix: str = "") -> None:
    """``INSERT INTO`` the table of ``model`` (``columns``: its column names) ``rows``, then ``suffix``
    (e.g. ``ON CONFLICT DO NOTHING``). On PostgreSQL one statement reading one array parameter per
    column (``unnest``): ``executemany`` sent one statement per row, which PostgreSQL parsed and
    planned one by one (10,000 stored task states: 1.2-1.4 s, in one statement 0.4 s, in a slow
    hour); elsewhere ``executemany`` (SQLite prepares the statement once)."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(columns)
    if connection.vendor == "postgresql":
        fields = {field.column: field for field in model._meta.concrete_fields}
        # Arrays of the columns' types without their length (varchar, not varchar(8)): an explicit
        # cast would cut a text that is too long, where the insert's own assignment refuses it.
        types = [fields[column].db_type(connection).split("(", 1)[0] for column in columns]
        arrays = ", ".join(f"%s::{sql_type}[]" for sql_type in types)
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays}){suffix}",
            [list(values) for values in zip(*rows, strict=True)],
        )
        return
    cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders(list(columns))}){suffix}", rows)


def ids_in(column: str, ids: list[int]) -> tuple[str, list[Any]]:
    """The condition "``column`` is one of ``ids``" and its parameters. On PostgreSQL one array
    parameter (``= ANY(%s)``): a thousand ids read 2.5-3 times faster than as a thousand
    placeholders, which are merged into the statement's text and parsed one by one; elsewhere
    ``IN (%s, …)``."""
    return _ids_in(column, list(ids), vendor=connection.vendor)


def _ids_in(column: str, ids: list[Any], *, vendor: str) -> tuple[str, list[Any]]:
    if vendor == "postgresql":
        return f"{column} = ANY(%s)", [ids]
    return f"{column} IN ({placeholders(ids)})", ids


class InIds(Lookup):
    """``field__in_ids=ids``: :func:`ids_in` for the ORM (registered on every field by the core app),
    for the long id lists a selector passes on (the dashboard's targets of the binding tasks, their
    actuals). Django's ``__in`` writes one placeholder per id, which psycopg splits out of the
    statement's text on every execution once the text is too long for its cache (1.6 ms for a few
    hundred ids); one array parameter keeps the text short. No ids: an empty result, as ``__in``."""

    lookup_name = "in_ids"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        ids = [int(value) for value in self.rhs]
        if not ids:
            raise EmptyResultSet
        condition, params = _ids_in(lhs, ids, vendor=connection.vendor)
        return condition, [*lhs_params, *params]
