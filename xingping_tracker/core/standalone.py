"""Django set up outside ``manage.py`` on a throwaway database, for the scripts that build one (the
benchmarks in ``bench/``, ``python -m exports.print_check``): local settings, DEBUG off, plain
static files. The caller names the database (normally a file in a temporary directory), so the
developer's database is never used."""

from __future__ import annotations

import os
from pathlib import Path


def configure(database: Path) -> None:
    """Point Django at the SQLite file ``database`` with local settings and DEBUG off, then set it up
    (see :func:`configure_url`)."""
    configure_url(f"sqlite:///{Path(database).resolve()}")


def configure_url(database_url: str) -> None:
    """Point Django at ``database_url`` with local settings and DEBUG off, then set it up.

    DEBUG is forced off (query logging would distort the figures); the test client's host
    ``testserver`` is allowed. A secret key is made up only when none is set. Static files use the
    plain storage, as in the test settings: local settings have no STATIC_ROOT for the manifest
    storage, which DEBUG off would otherwise need, and static files are not what is measured.
    """
    os.environ["DJANGO_SETTINGS_MODULE"] = "xingping_tracker.settings.local"
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver,localhost,127.0.0.1"
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret")

    import django

    django.setup()

    from django.test.utils import override_settings

    plain_static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    override_settings(STORAGES={**_settings().STORAGES, "staticfiles": plain_static}).enable()


def _settings():  # noqa: ANN202 - django.conf.settings, imported once Django is configured
    from django.conf import settings

    return settings


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def close_connections() -> None:
    """Close every database connection (SQLite then folds its WAL back into the main file)."""
    from django.db import connections

    connections.close_all()
