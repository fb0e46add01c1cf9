"""Moved: the unit directory lives in :mod:`departments.directory` (departments sits below tasks).
This name stays so that existing imports keep working; import from ``departments.directory``."""

from departments.directory import (  # noqa: F401
    DEFAULT_FIXTURE_PATH,
    UnitDirectory,
    load_fixture,
    looks_like_group,
    normalise_name,
    split_items,
)
