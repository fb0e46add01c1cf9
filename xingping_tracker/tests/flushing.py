"""The flush after a test that commits for real, without running every ``post_migrate`` handler again.

pytest-django empties the database after each ``transactional_db`` or ``live_server`` test with
Django's ``flush``, which then sends ``post_migrate`` for every app: the content types, the
permissions and the role groups (``access.roles.ensure_role_groups``) are looked up and written
again, about a hundred queries after each such test. They come out the same every time, so:

- the first flush in a test process runs the handlers as Django does and keeps a copy of every row
  they wrote: the rows present after them and not before (the flush's own deletes can leave rows
  behind, written by the standing-stamp triggers of the tables it empties; those are not theirs);
- each later flush puts those rows back as they were, ids included, in one transaction (a few
  statements) instead of sending the signal.

Whatever a test did to a group or a permission is undone as before: the flush empties those tables
like any other. Tests only: production never flushes.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush as flush_command
from django.db import connections, transaction

Rows = list[tuple[str, list[str], list[tuple[Any, ...]]]]
# Parameters in one INSERT: under SQLite's oldest limit (999), whatever the build.
_PARAMETERS_PER_STATEMENT = 999


def _rows_present(alias: str) -> Rows:
    connection = connections[alias]
    quote = connection.ops.quote_name
    found: Rows = []
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.django_table_names(only_existing=True, include_views=False)):
            cursor.execute(f"SELECT * FROM {quote(table)}")
            rows = cursor.fetchall()
            if rows:
                found.append((table, [column[0] for column in cursor.description], rows))
    return found


def _new_rows(before: dict[str, set[str]], after: Rows) -> Rows:
    new: Rows = []
    for table, columns, rows in after:
        seen = before.get(table, set())
        added = [row for row in rows if repr(row) not in seen]
        if added:
            new.append((table, columns, added))
    return new


def _put_back(alias: str, written: Rows) -> None:
    connection = connections[alias]
    quote = connection.ops.quote_name
    # Foreign keys are deferred to the commit on both databases: the order of the tables is free.
    # Many rows per INSERT: on PostgreSQL, executemany sends each row as a statement of its own
    # (about 550 after each flush, a third of a second), one INSERT per table takes a few ms.
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        for table, columns, rows in written:
            row = "(" + ", ".join(["%s"] * len(columns)) + ")"
            names = ", ".join(quote(column) for column in columns)
            per_statement = max(1, _PARAMETERS_PER_STATEMENT // len(columns))
            for start in range(0, len(rows), per_statement):
                chunk = rows[start : start + per_statement]
                cursor.execute(
                    f"INSERT INTO {quote(table)} ({names}) VALUES {', '.join([row] * len(chunk))}",
                    [value for values in chunk for value in values],
                )


def post_migrate_once(django_emit: Any) -> Any:
    """The stand-in for ``emit_post_migrate_signal`` in Django's flush command (see above), with
    its own memory of what the handlers wrote."""
    # Per database alias: (table, columns, rows) for each table the handlers filled.
    _written: dict[str, Rows] = {}

    def emit(verbosity: int, interactive: bool, db: str, **kwargs: Any) -> None:
        written = _written.get(db)
        if written is None:
            before = {table: {repr(row) for row in rows} for table, _columns, rows in _rows_present(db)}
            django_emit(verbosity, interactive, db, **kwargs)
            _written[db] = _new_rows(before, _rows_present(db))
        else:
            _put_back(db, written)

    return emit


def install() -> Any:
    """Put the stand-in in place; returns the function that takes it out again."""
    django_emit = flush_command.emit_post_migrate_signal
    flush_command.emit_post_migrate_signal = post_migrate_once(django_emit)

    def uninstall() -> None:
        flush_command.emit_post_migrate_signal = django_emit

    return uninstall
