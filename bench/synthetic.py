"""A synthetic database at the scale the product must carry: 80 units, one plan of 10,000 tasks.

``generate(tasks=10_000, departments=80, seed=1)`` writes, with ``bulk_create`` in one transaction:

- units: real names and kinds from ``fixtures/units.json`` (towns first, then the others in file
  order; made-up city departments beyond the file), their aliases from the file, hosts where both
  ends are present, and the file's placeholder groups with the members that exist (各镇办 is a
  FIXED group of up to 13 towns);
- one plan with chapters and sections shaped like the 兴平 plan (目标定位, 主要指标 with 远景目标,
  then 重要举措 chapters of up to 12 sections of 30–90 tasks each);
- tasks whose text, milestones and targets reuse the parsed seed plan, each with exactly one lead
  (position 0: a city-level unit, weighted by how many tasks it leads in the seed plan, so 市发改局
  leads the most) and 0–6 supporting assignments, about 30% of tasks naming a placeholder group
  (相关镇办 rows are expanded to 2–4 towns), ~0.3 milestones and ~0.7 targets per task.

- review periods for every half year of the plan (2021年上半年 … 2025年下半年, the last one open,
  the others closed) and the plan's cadence row;
- closed tasks (办结, about 4%, at days spread over the plan period; a tenth without a recorded
  time) and approved extensions (about 2%), drawn from a random stream of their own;
- progress reports (``reports``, by default 10 per task: 100,000 at full size), spread evenly over
  the periods; in each period about 70% are lead units' reports and 30% supporting units'
  contributions, on (task, unit) pairs drawn from the effective units (the effective-assignment
  table, written in bulk from the generated assignments by the rule of ``tasks.effective``). Closed periods are mostly accepted; the open one is a
  mix of drafts, submitted, returned and accepted reports. Each lead report carries an actual for
  every target of its task (about 1 in 5 "data not yet released"), so every report can be
  submitted; each report has its created / submitted / accepted or returned events and a version
  that counts them; a report is pre-filled from the same unit's report of the previous period
  when there is one. ``reports=0`` skips reports (periods are still written).

No history rows are written (bulk_create bypasses django-simple-history); the reads measured here
do not use them. Event times and ``created_at`` / ``updated_at`` are the time of generation
(``auto_now`` fields); ``submitted_at`` and ``reviewed_at`` fall inside their period.

The same ``seed`` gives the same rows.

CLI: ``python -m bench.synthetic --database PATH [--tasks N] [--departments N] [--reports N | --no-reports]
[--seed N]`` creates a fresh SQLite file (migrate, then generate) and prints the counts and the seconds taken.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import random
import sys
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

# Shares of task kinds in the 兴平 plan (11, 33 and 5 of 210 tasks); the rest are measures.
POSITIONING_SHARE = 11 / 210
INDICATOR_SHARE = 33 / 210
VISION_SHARE = 5 / 210
BINDING_SHARE = 7 / 33  # 约束性 indicators among the main indicators
MAX_TOWNS = 13
SECTIONS_PER_CHAPTER = 12
SECTION_SIZE = (30, 90)
MAX_SUPPORTING = 6
# Milestones per task: 0, 1 or 2 (mean 0.3); targets per task: 0–3 (mean 0.7).
MILESTONE_WEIGHTS = (0.75, 0.20, 0.05)
TARGET_WEIGHTS = (0.50, 0.35, 0.10, 0.05)
GROUP_SHARE = 0.35  # tasks whose supporting units include a placeholder group
PERIOD_END = dt.date(2025, 12, 31)
VISION_END = dt.date(2035, 12, 31)
CN_DIGITS = "零一二三四五六七八九"
# The synthetic plan's document number: marks a database as made by this module.
SYNTHETIC_DOCUMENT_NUMBER = "合成〔2022〕1号"
# Progress reports: per task by default, lead reports' share of each period, and batch sizes.
REPORTS_PER_TASK = 10
LEAD_REPORT_SHARE = 0.7
BATCH_SIZE = 2000
# Review status weights (draft, submitted, returned, accepted) in closed periods and in the open one.
CLOSED_STATUS_WEIGHTS = (0.03, 0.07, 0.05, 0.85)
OPEN_STATUS_WEIGHTS = (0.45, 0.30, 0.10, 0.15)
# Progress status weights (not started, on track, at risk, delayed, completed).
PROGRESS_WEIGHTS = (0.10, 0.60, 0.12, 0.10, 0.08)
NOT_RELEASED_SHARE = 0.2
PROGRESS_PHRASES = (
    "已按计划完成阶段工作，相关指标稳步推进",
    "已召开专题推进会，明确责任分工和时间节点",
    "已完成项目前期手续，正在组织实施",
    "已制定工作方案，分解任务到责任科室",
    "已开展专项督查，发现问题已督促整改",
    "已争取上级资金支持，项目进展顺利",
)
PROBLEM_PHRASES = ("资金保障压力较大", "项目用地指标紧张", "部门协同有待加强", "统计数据发布滞后", "")
NEXT_STEP_PHRASES = ("加快项目建设进度", "加强部门协调配合", "做好数据统计和报送", "强化督导检查")


@dataclass(frozen=True, slots=True)
class _SeedPools:
    """Material reused from the parsed seed plan."""

    title: str
    chapter_titles: tuple[str, ...]
    measure_section_titles: tuple[str, ...]
    texts: tuple[str, ...]
    milestone_texts: tuple[str, ...]
    targets: tuple[Any, ...]  # ParsedTarget
    lead_counts: dict[str, int]  # tasks each unit leads in the seed plan


@functools.cache
def _seed_pools() -> _SeedPools:
    from bench.runtime import SEED_PLAN_PATH
    from departments.directory import UnitDirectory
    from tasks.importer.parser import parse_plan_text

    result = parse_plan_text(SEED_PLAN_PATH.read_text(encoding="utf-8"), directory=UnitDirectory.from_fixture())
    chapters = tuple(s.title for s in result.sections if s.level == 1)
    measure_sections = tuple(
        s.title for t in result.tasks if t.kind == "measure" and len(t.section) > 1 for s in t.section[1:]
    )
    milestone_texts = tuple(_strip_year_prefix(m.text) for t in result.tasks for m in t.milestones)
    return _SeedPools(
        title=result.plan.title,
        chapter_titles=chapters,
        measure_section_titles=tuple(dict.fromkeys(measure_sections)),
        texts=tuple(t.text for t in result.tasks),
        milestone_texts=tuple(m for m in milestone_texts if m),
        targets=tuple(target for t in result.tasks for target in t.targets),
        lead_counts=dict(Counter(u.name for t in result.tasks for u in t.lead if u.name and not u.is_group)),
    )


def _strip_year_prefix(text: str) -> str:
    """Drop a leading "到2022年，" (the synthetic milestone puts its own year in front)."""
    if text.startswith("到") and "年" in text[:8]:
        text = text[text.index("年") + 1 :]
    return text.lstrip("，,、 ")


def cn_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 40 → 四十, 123 → 一百二十三 (for chapter and section labels)."""
    if n <= 0:
        raise ValueError("numerals start at 1")
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    text = ""
    if hundreds:
        text += CN_DIGITS[hundreds % 10] + "百"
        if tens == 0 and ones:
            text += "零"
    if tens:
        text += ("" if tens == 1 and not hundreds else CN_DIGITS[tens]) + "十"
    if ones:
        text += CN_DIGITS[ones]
    return text


def generate(
    *, tasks: int = 10_000, departments: int = 80, seed: int = 1, reports: int | None = None
) -> dict[str, int]:
    """Write the synthetic units, plan, periods and reports into the current (empty) database; return
    the row counts. ``reports`` defaults to ``REPORTS_PER_TASK`` per task; 0 skips them.

    Raises ValueError when the database already holds units or plans, or for sizes out of range.
    """
    from django.db import transaction

    from departments.models import Department
    from tasks.models import Plan

    if tasks < 1 or departments < 2:
        raise ValueError("generate() needs at least 1 task and 2 departments")
    if reports is not None and reports < 0:
        raise ValueError("generate() needs reports >= 0")
    if Department.objects.exists() or Plan.objects.exists():
        raise ValueError("generate() writes into an empty database; this one already holds units or plans")
    rng = random.Random(seed)
    with transaction.atomic():
        counts = _generate_units(rng, departments)
        counts.update(_generate_plan(rng, tasks))
        counts.update(_generate_reports(rng, REPORTS_PER_TASK * tasks if reports is None else reports))
        # A stream of its own: the rows above stay those of the same seed before closings existed.
        counts.update(_generate_closings(random.Random(seed + CLOSING_SEED_OFFSET)))
    return counts


# ---------------------------------------------------------------------------------------------------------
# Units


def _generate_units(rng: random.Random, count: int) -> dict[str, int]:
    from departments.directory import load_fixture
    from departments.models import Department, DepartmentAlias, DepartmentGroup, DepartmentKind

    fixture = load_fixture()
    town_kinds = {DepartmentKind.TOWN, DepartmentKind.SUBDISTRICT}
    towns = [u for u in fixture["units"] if u["kind"] in town_kinds]
    others = [u for u in fixture["units"] if u["kind"] not in town_kinds]
    town_count = min(MAX_TOWNS, len(towns), max(1, count // 6))
    chosen = towns[:town_count] + others[: count - town_count]
    for extra in range(count - len(chosen)):
        chosen.append({"name": f"市合成单位{extra + 1}", "kind": DepartmentKind.CITY_DEPARTMENT, "aliases": []})

    units = Department.objects.bulk_create(
        [Department(name=u["name"], kind=u["kind"], sort_order=(i + 1) * 10) for i, u in enumerate(chosen)]
    )
    by_name = {d.name: d for d in Department.objects.all()}
    hosted = []
    for unit in chosen:
        host = unit.get("host")
        if host and host in by_name:
            department = by_name[unit["name"]]
            department.host = by_name[host]
            hosted.append(department)
    Department.objects.bulk_update(hosted, ["host"])
    aliases = DepartmentAlias.objects.bulk_create(
        [
            DepartmentAlias(department=by_name[u["name"]], alias=alias)
            for u in chosen
            for alias in u.get("aliases", [])
            if alias != u["name"]
        ]
    )

    groups = DepartmentGroup.objects.bulk_create(
        [
            DepartmentGroup(name=g["name"], kind=g.get("kind", "selected"), description=g.get("description", ""))
            for g in fixture["groups"]
        ]
    )
    group_ids = dict(DepartmentGroup.objects.values_list("name", "pk"))
    Member = DepartmentGroup.members.through
    members = Member.objects.bulk_create(
        [
            Member(departmentgroup_id=group_ids[g["name"]], department_id=by_name[name].pk)
            for g in fixture["groups"]
            for name in g.get("members", [])
            if name in by_name
        ]
    )
    return {
        "departments": len(units),
        "aliases": len(aliases),
        "groups": len(groups),
        "group_members": len(members),
    }


# ---------------------------------------------------------------------------------------------------------
# Plan, sections, tasks and their children


def _generate_plan(rng: random.Random, task_count: int) -> dict[str, int]:
    from departments.models import Department, DepartmentGroup, DepartmentKind
    from tasks.models import Assignment, AssignmentRole, Milestone, Plan, Section, Target, Task, TaskKind
    from tasks.services.plan_import import target_row

    pools = _seed_pools()
    plan = Plan.objects.create(
        title=f"{pools.title}（合成数据）",
        issuer="兴平市人民政府办公室",
        document_number=SYNTHETIC_DOCUMENT_NUMBER,
        issued_on=dt.date(2022, 7, 25),
        period_start=dt.date(2021, 1, 1),
        period_end=PERIOD_END,
        vision_year=2035,
    )

    # Task numbers by kind, in document order.
    positioning = round(task_count * POSITIONING_SHARE)
    indicators = round(task_count * INDICATOR_SHARE)
    visions = round(task_count * VISION_SHARE)
    measures = max(0, task_count - positioning - indicators - visions)
    kinds = (
        [TaskKind.POSITIONING] * positioning
        + [TaskKind.INDICATOR] * indicators
        + [TaskKind.VISION] * visions
        + [TaskKind.MEASURE] * measures
    )[:task_count]

    # Sections: 一、目标定位 (no sections); 二、主要指标 with (一) main targets and (二) vision;
    # then measure chapters of up to SECTIONS_PER_CHAPTER sections each.
    measure_sizes: list[int] = []
    remaining = measures
    while remaining > 0:
        size = min(remaining, rng.randint(*SECTION_SIZE))
        measure_sizes.append(size)
        remaining -= size
    chapter_titles = list(pools.chapter_titles) or ["目标定位", "主要指标", "重要举措任务及分工"]
    titles = pools.measure_section_titles or ("重要举措",)
    measure_chapter_count = -(-len(measure_sizes) // SECTIONS_PER_CHAPTER)
    # The outline in document order: (chapter label, chapter title, [section titles]).
    outline: list[tuple[str, str, list[str]]] = [
        ("一", chapter_titles[0], []),
        ("二", chapter_titles[1 % len(chapter_titles)], ["“十四五”时期主要目标", "远景目标(激励性目标)"]),
    ]
    for index in range(measure_chapter_count):
        suffix = f"（第{cn_numeral(index + 1)}部分）" if measure_chapter_count > 1 else ""
        first = index * SECTIONS_PER_CHAPTER
        count = min(SECTIONS_PER_CHAPTER, len(measure_sizes) - first)
        outline.append(
            (
                cn_numeral(index + 3),
                chapter_titles[-1] + suffix,
                [titles[(first + i) % len(titles)] for i in range(count)],
            )
        )
    position = 0
    chapter_rows: list[Section] = []
    section_rows: list[tuple[int, Section]] = []  # (chapter index, section without parent yet)
    for chapter_index, (label, title, section_titles) in enumerate(outline):
        position += 1
        chapter_rows.append(Section(plan=plan, label=label, title=title, position=position))
        for section_number, section_title in enumerate(section_titles, start=1):
            position += 1
            section_rows.append(
                (
                    chapter_index,
                    Section(
                        plan=plan, label=f"（{cn_numeral(section_number)}）", title=section_title, position=position
                    ),
                )
            )
    Section.objects.bulk_create(chapter_rows)
    chapters = list(Section.objects.filter(plan=plan, parent__isnull=True).order_by("position"))
    for chapter_index, section in section_rows:
        section.parent = chapters[chapter_index]
    Section.objects.bulk_create([section for _, section in section_rows])
    subs = list(Section.objects.filter(plan=plan, parent__isnull=False).order_by("position"))

    section_for: list[int] = [chapters[0].pk] * positioning + [subs[0].pk] * indicators + [subs[1].pk] * visions
    for size, section in zip(measure_sizes, subs[2:], strict=True):
        section_for.extend([section.pk] * size)

    # Units: leads are city-level units, weighted by how many tasks each leads in the seed plan
    # (市发改局 leads the most), so a few units lead most tasks, as in real plans.
    units = list(Department.objects.order_by("sort_order"))
    town_kinds = {DepartmentKind.TOWN, DepartmentKind.SUBDISTRICT}
    towns = [d for d in units if d.kind in town_kinds]
    city_units = [d for d in units if d.kind not in town_kinds] or units
    lead_weights = [pools.lead_counts.get(d.name, 0) + 0.5 for d in city_units]
    groups = {g.name: g for g in DepartmentGroup.objects.all()}
    group_choices = [
        (name, weight) for name, weight in (("各镇办", 5), ("市级相关部门", 3), ("相关镇办", 2)) if name in groups
    ]

    task_rows: list[Task] = []
    task_units: list[tuple[Any, list[Any], Any]] = []
    for number, (kind, section_id) in enumerate(zip(kinds, section_for, strict=True), start=1):
        text = rng.choice(pools.texts)
        if rng.random() < 0.3:
            text += rng.choice(pools.texts)
        lead = rng.choices(city_units, weights=lead_weights)[0]
        supporting_count = rng.randint(0, min(MAX_SUPPORTING, len(units) - 1))
        candidates = [d for d in rng.sample(units, min(len(units), supporting_count + 1)) if d.pk != lead.pk]
        supporting: list[Any] = candidates[:supporting_count]
        if group_choices and supporting and rng.random() < GROUP_SHARE:
            name = rng.choices([n for n, _ in group_choices], weights=[w for _, w in group_choices])[0]
            supporting[-1] = groups[name]
        open_ended = bool(supporting) and rng.random() < 0.4

        deadline, deadline_text = PERIOD_END, "规划期末"
        if kind == TaskKind.VISION:
            deadline, deadline_text = VISION_END, "到2035年（远景）"
        elif rng.random() < 0.2:
            year = rng.choice((2022, 2023, 2024, 2025))
            deadline, deadline_text = dt.date(year, 12, 31), f"到{year}年"
        lead_label = "责任部门" if kind == TaskKind.INDICATOR else "牵头部门"
        annotation = f"{lead_label}：{lead.name}"
        if supporting:
            annotation += "，配合部门：" + "、".join(u.name for u in supporting) + ("等" if open_ended else "")
        task_rows.append(
            Task(
                plan=plan,
                number=number,
                text=text,
                section_id=section_id,
                kind=kind,
                binding=kind == TaskKind.INDICATOR and rng.random() < BINDING_SHARE,
                incentive=kind == TaskKind.VISION,
                deadline=deadline,
                deadline_text=deadline_text,
                supporting_open_ended=open_ended,
                annotation=annotation[:1000],
            )
        )
        task_units.append((lead, supporting, deadline))

    Task.objects.bulk_create(task_rows, batch_size=500)
    task_ids = dict(Task.objects.filter(plan=plan).values_list("number", "pk"))

    assignments: list[Assignment] = []
    expand_to: list[tuple[int, list[int]]] = []  # (index in assignments, town ids)
    milestones: list[Milestone] = []
    targets: list[Target] = []
    for number, (lead, supporting, deadline) in enumerate(task_units, start=1):
        task_id = task_ids[number]
        assignments.append(
            Assignment(
                task_id=task_id, role=AssignmentRole.LEAD, position=0, department_id=lead.pk, name_as_written=lead.name
            )
        )
        for position, unit in enumerate(supporting):
            is_group = isinstance(unit, DepartmentGroup)
            if is_group and unit.name == "相关镇办" and towns:
                chosen = rng.sample(towns, min(len(towns), rng.randint(2, 4)))
                expand_to.append((len(assignments), [t.pk for t in chosen]))
            assignments.append(
                Assignment(
                    task_id=task_id,
                    role=AssignmentRole.SUPPORTING,
                    position=position,
                    department_id=None if is_group else unit.pk,
                    group_id=unit.pk if is_group else None,
                    name_as_written=unit.name,
                )
            )
        milestone_count = rng.choices(range(len(MILESTONE_WEIGHTS)), weights=MILESTONE_WEIGHTS)[0]
        last_year = min(deadline.year, PERIOD_END.year)
        years = sorted(rng.sample(range(2022, last_year + 1), min(milestone_count, last_year - 2021)))
        for position, year in enumerate(years):
            text = f"到{year}年，{rng.choice(pools.milestone_texts) if pools.milestone_texts else '完成阶段任务'}"
            milestones.append(
                Milestone(task_id=task_id, due_on=dt.date(year, 12, 31), text=text[:1000], position=position)
            )
        if pools.targets:
            target_count = rng.choices(range(len(TARGET_WEIGHTS)), weights=TARGET_WEIGHTS)[0]
            for position, parsed in enumerate(rng.sample(pools.targets, min(target_count, len(pools.targets)))):
                targets.append(target_row(parsed, task_id=task_id, position=position))

    created = Assignment.objects.bulk_create(assignments, batch_size=1000)
    if expand_to and created[0].pk is None:  # the backend did not return ids
        ids = list(Assignment.objects.filter(task__plan=plan).order_by("pk").values_list("pk", flat=True))
        for assignment, pk in zip(created, ids, strict=True):
            assignment.pk = pk
    Expansion = Assignment.expanded_to.through
    expansions = Expansion.objects.bulk_create(
        [
            Expansion(assignment_id=created[index].pk, department_id=town)
            for index, town_ids in expand_to
            for town in town_ids
        ],
        batch_size=1000,
    )
    Milestone.objects.bulk_create(milestones, batch_size=1000)
    Target.objects.bulk_create(targets, batch_size=1000)
    effective = _write_effective_rows(created, {created[index].pk: towns for index, towns in expand_to})
    return {
        "plans": 1,
        "sections": len(chapters) + len(subs),
        "tasks": len(task_rows),
        "assignments": len(assignments),
        "expansions": len(expansions),
        "effective_rows": effective,
        "milestones": len(milestones),
        "targets": len(targets),
    }


def _write_effective_rows(assignments: list[Any], expansions: dict[int, list[int]]) -> int:
    """The effective-assignment table of the generated assignments, by the product's rule
    (``tasks.effective.effective_rows``) from the rows in memory, written in bulk; returns the count."""
    from collections import defaultdict

    from departments.models import DepartmentGroup, GroupKind
    from tasks.effective import AssignmentFacts, effective_rows
    from tasks.models import EffectiveAssignment

    fixed_members: dict[int, list[int]] = defaultdict(list)
    for group_id, department_id in DepartmentGroup.members.through.objects.filter(
        departmentgroup__kind=GroupKind.FIXED
    ).values_list("departmentgroup_id", "department_id"):
        fixed_members[group_id].append(department_id)
    facts = [AssignmentFacts(a.pk, a.task_id, a.role, a.position, a.department_id, a.group_id) for a in assignments]
    fields = ("task_id", "department_id", "role", "assignment_id", "via_group_id", "source", "is_primary")
    rows = EffectiveAssignment.objects.bulk_create(
        [
            EffectiveAssignment(**{name: getattr(row, name) for name in fields})
            for row in effective_rows(facts, expansions=expansions, fixed_members=fixed_members)
        ],
        batch_size=1000,
    )
    return len(rows)


# ---------------------------------------------------------------------------------------------------------
# Review periods and progress reports


def _generate_periods(plan: Any) -> list[Any]:
    """Every half year of the plan period, the last one open and the others closed (with the cadence row)."""
    from progress.models import PeriodStatus, ReviewCadence, ReviewPeriod
    from progress.services.periods import period_bounds, period_name

    cadence = ReviewCadence.objects.create(plan=plan)
    per_year = cadence.periods_per_year
    rows = []
    for year in range(plan.period_start.year, plan.period_end.year + 1):
        for index in range(1, per_year + 1):
            start, end = period_bounds(year, index, per_year)
            rows.append(
                ReviewPeriod(
                    plan=plan,
                    name=period_name(year, index, per_year),
                    starts_on=start,
                    ends_on=end,
                    report_due_on=end + dt.timedelta(days=cadence.report_due_days),
                    meeting_on=end + dt.timedelta(days=cadence.meeting_days),
                    is_annual_summary=cadence.last_period_is_annual_summary and index == per_year,
                    status=PeriodStatus.CLOSED,
                    opened_at=_aware(end, days=1),
                    closed_at=_aware(end, days=cadence.meeting_days + 5),
                )
            )
    rows[-1].status, rows[-1].closed_at = PeriodStatus.OPEN, None
    ReviewPeriod.objects.bulk_create(rows)
    return list(ReviewPeriod.objects.filter(plan=plan).order_by("starts_on"))


CLOSING_SEED_OFFSET = 7919
CLOSED_SHARE = 0.04  # tasks closed (办结) at some day of the plan period
EXTENDED_SHARE = 0.02  # open tasks with an approved extension


def _generate_closings(rng: random.Random) -> dict[str, int]:
    """Closed tasks (办结, at a day between the plan's start and the open period's end, so some fall
    before a period's report due date and some after it; one in ten without a recorded time) and
    extended deadlines: the TaskProgress rows the states and the owed rule read."""
    from progress.models import ReviewPeriod, TaskProgress, TaskStatus
    from tasks.models import Task

    periods = list(ReviewPeriod.objects.order_by("starts_on").values_list("starts_on", "ends_on"))
    if not periods:
        return {"task_progress": 0}
    first, last = periods[0][0], periods[-1][1]
    span = (last - first).days
    rows = []
    for pk, deadline in Task.objects.order_by("pk").values_list("pk", "deadline"):
        draw = rng.random()
        if draw < CLOSED_SHARE:
            completed_at = None if rng.random() < 0.1 else _aware(first, days=rng.randint(0, span))
            rows.append(TaskProgress(task_id=pk, status=TaskStatus.COMPLETED, completed_at=completed_at))
        elif draw < CLOSED_SHARE + EXTENDED_SHARE and deadline is not None:
            extended = deadline + dt.timedelta(days=rng.choice((90, 180, 365)))
            rows.append(TaskProgress(task_id=pk, status=TaskStatus.OPEN, extended_deadline=extended))
    TaskProgress.objects.bulk_create(rows, batch_size=1000)
    return {"task_progress": len(rows)}


def _aware(day: dt.date, *, days: int = 0, hour: int = 10) -> dt.datetime:
    from django.utils import timezone

    moment = dt.datetime.combine(day + dt.timedelta(days=days), dt.time(hour))
    return timezone.make_aware(moment)


def effective_pairs(plan: Any) -> dict[tuple[int, int], str]:
    """{(task id, unit id): role} for every effective unit of every task of ``plan`` (lead wins): the
    primary rows of the effective-assignment table (``tasks.effective``)."""
    from tasks.models import EffectiveAssignment

    rows = EffectiveAssignment.objects.filter(task__plan=plan, is_primary=True).order_by()
    return {(task_id, unit_id): role for task_id, unit_id, role in rows.values_list("task_id", "department_id", "role")}


def _generate_reports(rng: random.Random, total: int) -> dict[str, int]:
    from progress.models import (
        ActualState,
        ProgressReport,
        ProgressStatus,
        ReportEvent,
        ReportEventType,
        ReportStatus,
        TargetActual,
    )
    from tasks.models import AssignmentRole, Plan, Target

    plan = Plan.objects.get(document_number=SYNTHETIC_DOCUMENT_NUMBER)
    periods = _generate_periods(plan)
    counts = {"periods": len(periods), "reports": 0, "lead_reports": 0, "contributions": 0}
    counts.update({"actuals": 0, "report_events": 0})
    if total == 0:
        return counts

    pairs = effective_pairs(plan)
    lead_pairs = sorted(p for p, role in pairs.items() if role == AssignmentRole.LEAD)
    supporting_pairs = sorted(p for p, role in pairs.items() if role != AssignmentRole.LEAD)
    targets: dict[int, list[tuple[int, Any]]] = {}
    for pk, task_id, value in (
        Target.objects.filter(task__plan=plan).order_by("task_id", "position").values_list("pk", "task_id", "value")
    ):
        targets.setdefault(task_id, []).append((pk, value))
    texts = {t.pk: t.text for t in plan.tasks.only("pk", "text")}
    statuses = (ReportStatus.DRAFT, ReportStatus.SUBMITTED, ReportStatus.RETURNED, ReportStatus.ACCEPTED)
    progress_statuses = (
        ProgressStatus.NOT_STARTED,
        ProgressStatus.ON_TRACK,
        ProgressStatus.AT_RISK,
        ProgressStatus.DELAYED,
        ProgressStatus.COMPLETED,
    )
    previous: dict[tuple[int, int], int] = {}  # (task, unit) → report id in the previous period
    for index, period in enumerate(periods):
        quota = total // len(periods) + (1 if index < total % len(periods) else 0)
        leads = min(len(lead_pairs), round(quota * LEAD_REPORT_SHARE))
        supporting = min(len(supporting_pairs), quota - leads)
        leads = min(len(lead_pairs), quota - supporting)
        chosen = [(p, AssignmentRole.LEAD) for p in rng.sample(lead_pairs, leads)]
        chosen += [(p, AssignmentRole.SUPPORTING) for p in rng.sample(supporting_pairs, supporting)]
        weights = OPEN_STATUS_WEIGHTS if period.is_open else CLOSED_STATUS_WEIGHTS
        rows = []
        for (task_id, unit_id), role in chosen:
            status = rng.choices(statuses, weights=weights)[0]
            progress = rng.choices(progress_statuses, weights=PROGRESS_WEIGHTS)[0]
            saves = rng.randint(0, 2)
            transitions = {ReportStatus.DRAFT: 0, ReportStatus.SUBMITTED: 1}.get(status, 2)
            submitted_at = _aware(period.ends_on, days=rng.randint(-5, 9)) if transitions else None
            reviewed_at = submitted_at + dt.timedelta(days=rng.randint(1, 5)) if transitions == 2 else None
            rows.append(
                ProgressReport(
                    task_id=task_id,
                    department_id=unit_id,
                    period_id=period.pk,
                    role=role,
                    status=status,
                    progress_status=progress,
                    percent=100 if progress == ProgressStatus.COMPLETED else rng.randrange(0, 100, 5),
                    progress_text=f"{period.name}，{texts[task_id][:40]}：{rng.choice(PROGRESS_PHRASES)}。",
                    problems_text=rng.choice(PROBLEM_PHRASES),
                    next_steps_text=rng.choice(NEXT_STEP_PHRASES) + "。",
                    prefilled_from_id=previous.get((task_id, unit_id)),
                    version=1 + saves + transitions,
                    submitted_at=submitted_at,
                    reviewed_at=reviewed_at,
                    review_comment="请补充具体数据和佐证材料后重新报送。" if status == ReportStatus.RETURNED else "",
                )
            )
        created = ProgressReport.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        if created and created[0].pk is None:  # the backend did not return ids
            ids = {
                (task_id, unit_id): pk
                for task_id, unit_id, pk in ProgressReport.objects.filter(period=period).values_list(
                    "task_id", "department_id", "pk"
                )
            }
            for report in created:
                report.pk = ids[(report.task_id, report.department_id)]
        actuals, report_events = [], []
        for report in created:
            if report.role == AssignmentRole.LEAD:
                for target_id, target_value in targets.get(report.task_id, []):
                    if rng.random() < NOT_RELEASED_SHARE:
                        actuals.append(
                            TargetActual(report_id=report.pk, target_id=target_id, state=ActualState.NOT_RELEASED)
                        )
                    else:
                        value = (target_value * Decimal(rng.randint(50, 110)) / 100).quantize(Decimal("0.0001"))
                        actuals.append(
                            TargetActual(
                                report_id=report.pk,
                                target_id=target_id,
                                state=ActualState.REPORTED,
                                value=value,
                                data_date=period.ends_on,
                            )
                        )
            report_events.append(
                ReportEvent(report_id=report.pk, type=ReportEventType.CREATED, to_status=ReportStatus.DRAFT)
            )
            if report.status != ReportStatus.DRAFT:
                report_events.append(
                    ReportEvent(
                        report_id=report.pk,
                        type=ReportEventType.SUBMITTED,
                        from_status=ReportStatus.DRAFT,
                        to_status=ReportStatus.SUBMITTED,
                    )
                )
            if report.status in (ReportStatus.RETURNED, ReportStatus.ACCEPTED):
                report_events.append(
                    ReportEvent(
                        report_id=report.pk,
                        type=ReportEventType.RETURNED
                        if report.status == ReportStatus.RETURNED
                        else ReportEventType.ACCEPTED,
                        from_status=ReportStatus.SUBMITTED,
                        to_status=report.status,
                        comment=report.review_comment,
                    )
                )
        TargetActual.objects.bulk_create(actuals, batch_size=BATCH_SIZE)
        ReportEvent.objects.bulk_create(report_events, batch_size=BATCH_SIZE)
        previous = {(r.task_id, r.department_id): r.pk for r in created}
        counts["reports"] += len(created)
        counts["lead_reports"] += leads
        counts["contributions"] += supporting
        counts["actuals"] += len(actuals)
        counts["report_events"] += len(report_events)
    return counts


# ---------------------------------------------------------------------------------------------------------
# CLI


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.synthetic", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", type=Path, required=True, help="SQLite file to create (must not exist)")
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--departments", type=int, default=80)
    parser.add_argument("--seed", type=int, default=1)
    reports = parser.add_mutually_exclusive_group()
    reports.add_argument("--reports", type=int, help=f"progress reports (default {REPORTS_PER_TASK} per task)")
    reports.add_argument("--no-reports", action="store_true", help="no progress reports (periods only)")
    args = parser.parse_args(argv)
    if args.database.exists():
        print(
            f"{args.database} already exists: give a new file (this script never overwrites a database).",
            file=sys.stderr,
        )
        return 2
    args.database.parent.mkdir(parents=True, exist_ok=True)

    from bench.runtime import configure, migrate, print_table, stopwatch

    configure(args.database)
    with stopwatch() as migrate_seconds:
        migrate()
    with stopwatch() as generate_seconds:
        counts = generate(
            tasks=args.tasks,
            departments=args.departments,
            seed=args.seed,
            reports=0 if args.no_reports else args.reports,
        )
    print(f"Synthetic database: {args.database}")
    print_table(["rows", "count"], list(counts.items()))
    print()
    print_table(["step", "seconds"], [("migrate", migrate_seconds()), ("generate", generate_seconds())])
    return 0


if __name__ == "__main__":
    sys.exit(main())
