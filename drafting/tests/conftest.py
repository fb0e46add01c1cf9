from pathlib import Path

import pytest

from drafting.suggest import PastTask
from tasks.importer.parser import parse_plan_text
from tasks.importer.units import UnitDirectory

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
