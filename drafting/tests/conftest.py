from pathlib import Path

import pytest

from departments.directory import UnitDirectory
from drafting.suggest import PastTask
from tasks.importer.parser import parse_plan_text
from xingping_tracker.tests.sharing import module_fixtures

ROOT = Path(__file__).resolve().parents[2]
SEED_PLAN = ROOT / "fixtures" / "plans" / "xingping-14th-five-year-plan.txt"
REPORTS = ROOT / "fixtures" / "reports"


@pytest.fixture(scope="session")
def seed_past_tasks() -> list[PastTask]:
    """The 兴平 plan's 210 tasks as past tasks (parsed, no database)."""
    result = parse_plan_text(SEED_PLAN.read_text(encoding="utf-8"), directory=UnitDirectory.from_fixture())
    return [
        PastTask(
            key=t.number,
            number=t.number,
            text=t.text,
            lead=tuple(u.display for u in t.lead),
            supporting=tuple(u.display for u in t.supporting),
            plan=result.plan.title,
        )
        for t in result.tasks
    ]


def build_seed_plan():
    """Units and the 兴平 plan in the database, as ``make run`` leaves them."""
    from departments.services import sync_units_from_fixture
    from tasks.services.plan_documents import current_unit_directory
    from tasks.services.plan_import import import_plan

    sync_units_from_fixture()
    text = SEED_PLAN.read_text(encoding="utf-8")
    return import_plan(result=parse_plan_text(text, directory=current_unit_directory()), source_text=text).plan


# ``seed_plan``: built once per module where it may be, a copy for each test.
_module_seed_plan, seed_plan = module_fixtures(build_seed_plan, name="seed_plan")


@pytest.fixture(scope="session")
def hanzhong_report() -> str:
    return (REPORTS / "hanzhong-2024-work-report-key-tasks.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def ankang_report() -> str:
    return (REPORTS / "ankang-2022-work-report.txt").read_text(encoding="utf-8")
