"""The 兴平 plan imported as ``make run`` leaves it, with the two periods of 2024 and the users."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

from access.roles import LEADERSHIP_GROUP, PLAN_OFFICE_GROUP
from progress.models import PeriodStatus, ReviewPeriod
from xingping_tracker.tests.sharing import module_fixtures

SEED_PLAN = Path(__file__).resolve().parents[2] / "fixtures" / "plans" / "xingping-14th-five-year-plan.txt"


def xingping_plan():
    from departments.services import sync_units_from_fixture
    from tasks.importer.parser import parse_plan_text
    from tasks.services.plan_documents import current_unit_directory
    from tasks.services.plan_import import import_plan

    sync_units_from_fixture()
    text = SEED_PLAN.read_text(encoding="utf-8")
    return import_plan(result=parse_plan_text(text, directory=current_unit_directory()), source_text=text).plan


def periods_of(plan, year: int) -> tuple[ReviewPeriod, ReviewPeriod]:
    first = ReviewPeriod.objects.create(
        plan=plan,
        name=f"{year}年上半年",
        starts_on=dt.date(year, 1, 1),
        ends_on=dt.date(year, 6, 30),
        report_due_on=dt.date(year, 7, 10),
        status=PeriodStatus.CLOSED,
    )
    second = ReviewPeriod.objects.create(
        plan=plan,
        name=f"{year}年下半年",
        starts_on=dt.date(year, 7, 1),
        ends_on=dt.date(year, 12, 31),
        report_due_on=dt.date(year + 1, 1, 10),
        is_annual_summary=True,
        status=PeriodStatus.OPEN,
    )
    return first, second


def build_xingping() -> SimpleNamespace:
    from progress.tests.factories import role_user, unit_user

    plan = xingping_plan()
    h1, h2 = periods_of(plan, 2024)
    tasks = {t.number: t for t in plan.tasks.all()}
    fagai = tasks[45].assignments.get(role="lead").department
    return SimpleNamespace(
        plan=plan,
        h1=h1,
        h2=h2,
        tasks=tasks,
        fagai=fagai,
        plan_office=role_user(PLAN_OFFICE_GROUP, username="plan_office"),
        leader=role_user(LEADERSHIP_GROUP, username="leader"),
        fagai_clerk=unit_user(fagai, username="fagai_clerk"),
    )


# ``xingping``: the imported 兴平 plan, built once per module where it may be, a copy for each test.
_module_xingping, xingping = module_fixtures(build_xingping, name="xingping")
