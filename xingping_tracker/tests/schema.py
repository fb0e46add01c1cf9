"""What the migrated test database holds beyond Django's models (tests only)."""

from __future__ import annotations

from django.db import connection


def trigger_names() -> set[str]:
    """The names of the triggers in the database (the stores' triggers are created by migrations)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        return {row[0] for row in cursor.fetchall()}
