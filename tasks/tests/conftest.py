from pathlib import Path

import pytest

from departments.directory import UnitDirectory

SEED = Path(__file__).resolve().parents[2] / "fixtures" / "plans" / "xingping-14th-five-year-plan.txt"


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def fixture_directory() -> UnitDirectory:
    return UnitDirectory.from_fixture()
