"""Every write that changes who does a task keeps the effective-assignment table right: the plan
import, the admin's task and group pages, the unit fixture's sync, unit deactivation, the repair
command and the data migration."""

from __future__ import annotations

import importlib
import io
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from departments.models import Department, DepartmentGroup
from departments.services import sync_units_from_fixture
from tasks.importer.parser import parse_plan_text
from tasks.models import Assignment, AssignmentRole, EffectiveAssignment, Task
from tasks.selectors import filter_tasks_by_unit
from tasks.services.effective_assignments import refresh_effective_assignments, rows_from_database
from tasks.services.plan_documents import current_unit_directory
from tasks.services.plan_import import import_plan
from tasks.tests.factories import build_sample_plan

pytestmark = pytest.mark.django_db

ROW = ("task_id", "department_id", "role", "assignment_id", "via_group_id", "source", "is_primary")


def table() -> set[tuple]:
    return set(EffectiveAssignment.objects.values_list(*ROW))


def rule() -> set[tuple]:
    """What the rule says about the stored assignments, expansions and groups."""
    return {tuple(getattr(row, name) for name in ROW) for row in rows_from_database(None)}


def cells(task: Task) -> dict[str, str]:
    """{unit name: its role on the task} from the table's primary rows."""
    return dict(
        EffectiveAssignment.objects.filter(task=task, is_primary=True).values_list("department__name", "role")
    )


def run_import(text: str):
    return import_plan(result=parse_plan_text(text, directory=current_unit_directory()), source_text=text)


PLAN = """兴平市测试方案
1.建设数据中心。(牵头部门:市发改局,配合部门:市财政局、各镇办)
2.推进城乡融合发展。(牵头部门:市农业农村局,配合部门:市发改局)
"""


class TestPlanImport:
    def test_import_writes_the_rows_and_an_edited_plan_rewrites_only_what_changed(self, db):
        sync_units_from_fixture()
        run_import(PLAN)
        assert table() == rule()
        task1, task2 = Task.objects.get(number=1), Task.objects.get(number=2)
        towns = set(DepartmentGroup.objects.get(name="各镇办").members.values_list("name", flat=True))
        assert len(towns) == 13
        assert cells(task1) == {"市发改局": "lead", "市财政局": "supporting"} | dict.fromkeys(towns, "supporting")
        assert cells(task2) == {"市农业农村局": "lead", "市发改局": "supporting"}
        untouched = set(EffectiveAssignment.objects.filter(task=task1).values_list("pk", flat=True))

        # Task 2 now names 市发改局 as its lead too (lead wins) and drops 市农业农村局; task 1 is as before.
        run_import(PLAN.replace("牵头部门:市农业农村局,配合部门:市发改局", "牵头部门:市发改局,配合部门:市财政局"))
        assert table() == rule()
        assert cells(task2) == {"市发改局": "lead", "市财政局": "supporting"}
        assert set(EffectiveAssignment.objects.filter(task=task1).values_list("pk", flat=True)) == untouched

    def test_reimporting_the_same_plan_writes_no_row(self, db):
        sync_units_from_fixture()
        run_import(PLAN)
        before = set(EffectiveAssignment.objects.values_list("pk", *ROW))
        report = run_import(PLAN)
        assert not report.changed
        assert set(EffectiveAssignment.objects.values_list("pk", *ROW)) == before


def _task_post(task: Task, assignments: list[Assignment], changes: dict[int, dict]) -> dict:
    data = {
        "plan": task.plan_id,
        "number": task.number,
        "section": task.section_id or "",
        "kind": task.kind,
        "text": task.text,
        "deadline": "" if task.deadline is None else task.deadline.isoformat(),
        "deadline_text": task.deadline_text,
        "annotation": task.annotation,
        "assignments-TOTAL_FORMS": str(len(assignments)),
        "assignments-INITIAL_FORMS": str(len(assignments)),
        "milestones-TOTAL_FORMS": "0",
        "milestones-INITIAL_FORMS": "0",
        "targets-TOTAL_FORMS": "0",
        "targets-INITIAL_FORMS": "0",
    }
    for i, a in enumerate(assignments):
        row = {
            "id": a.pk,
            "task": task.pk,
            "role": a.role,
            "position": a.position,
            "name_as_written": a.name_as_written,
            "department": a.department_id or "",
            "group": a.group_id or "",
            "expanded_to": [str(pk) for pk in a.expanded_to.values_list("pk", flat=True)],
            **changes.get(a.pk, {}),
        }
        data.update({f"assignments-{i}-{key}": value for key, value in row.items()})
    return data


class TestAdmin:
    def test_clearing_an_expansion_in_the_task_admin_falls_back_to_the_group(self, admin_client):
        sample = build_sample_plan()
        task = sample.tasks[4]  # supporting 各镇办 expanded to 东城 only; 市级相关部门 not expanded
        assert cells(task) == {"市财政局": "lead", "东城街道办": "supporting"}
        assignments = list(task.assignments.order_by("role", "position", "pk"))
        towns = next(a for a in assignments if a.group_id == sample.all_towns.pk)
        response = admin_client.post(
            reverse("admin:tasks_task_change", args=[task.pk]),
            _task_post(task, assignments, {towns.pk: {"expanded_to": []}}),
        )
        assert response.status_code == 302, response.content.decode()
        assert cells(task) == {"市财政局": "lead", "东城街道办": "supporting", "西城街道办": "supporting"}
        assert table() == rule()

    def test_deleting_an_assignment_in_the_task_admin_removes_its_units(self, admin_client):
        sample = build_sample_plan()
        task = sample.tasks[3]  # lead 发改; supporting 相关镇办 expanded to 南城
        assert cells(task) == {"市发改局": "lead", "南城镇": "supporting"}
        assignments = list(task.assignments.order_by("role", "position", "pk"))
        placeholder = next(a for a in assignments if a.group_id == sample.some_towns.pk)
        response = admin_client.post(
            reverse("admin:tasks_task_change", args=[task.pk]),
            _task_post(task, assignments, {placeholder.pk: {"DELETE": "on"}}),
        )
        assert response.status_code == 302, response.content.decode()
        assert cells(task) == {"市发改局": "lead"}
        assert table() == rule()

    def test_group_membership_changed_in_the_admin_reaches_the_tasks_naming_the_group(self, admin_client):
        sample = build_sample_plan()
        newcomer = Department.objects.create(name="北城街道办", kind="subdistrict")
        group = sample.all_towns
        response = admin_client.post(
            reverse("admin:departments_departmentgroup_change", args=[group.pk]),
            {
                "name": group.name,
                "kind": group.kind,
                "description": group.description,
                "members": [str(sample.xicheng.pk), str(newcomer.pk)],  # 东城 leaves, 北城 joins
                "aliases-TOTAL_FORMS": "0",
                "aliases-INITIAL_FORMS": "0",
            },
        )
        assert response.status_code == 302, response.content.decode()
        # Task 1 names 各镇办 unexpanded: its members now; task 4's own expansion (东城) stays.
        assert cells(sample.tasks[1]) == {"市发改局": "lead", "西城街道办": "supporting", "北城街道办": "supporting"}
        assert cells(sample.tasks[4]) == {"市财政局": "lead", "东城街道办": "supporting"}
        assert table() == rule()

    def test_a_group_made_selected_in_the_admin_names_nobody_until_expanded(self, admin_client):
        sample = build_sample_plan()
        group = sample.all_towns
        response = admin_client.post(
            reverse("admin:departments_departmentgroup_change", args=[group.pk]),
            {
                "name": group.name,
                "kind": "selected",
                "description": group.description,
                "members": [str(pk) for pk in group.members.values_list("pk", flat=True)],
                "aliases-TOTAL_FORMS": "0",
                "aliases-INITIAL_FORMS": "0",
            },
        )
        assert response.status_code == 302, response.content.decode()
        assert cells(sample.tasks[1]) == {"市发改局": "lead"}
        assert table() == rule()

    def test_a_unit_deactivated_in_the_admin_keeps_its_tasks(self, admin_client):
        sample = build_sample_plan()
        before = table()
        unit = sample.dongcheng
        response = admin_client.post(
            reverse("admin:departments_department_change", args=[unit.pk]),
            {
                "name": unit.name,
                "kind": unit.kind,
                "host": "",
                "successor": "",
                "sort_order": unit.sort_order,
                "aliases-TOTAL_FORMS": "0",
                "aliases-INITIAL_FORMS": "0",
            },  # is_active unticked
        )
        assert response.status_code == 302, response.content.decode()
        unit.refresh_from_db()
        assert not unit.is_active
        assert table() == before == rule()
        numbers = filter_tasks_by_unit(Task.objects.all(), department=unit, role=AssignmentRole.SUPPORTING)
        assert sorted(numbers.values_list("number", flat=True)) == [1, 4]


def test_the_unit_fixture_sync_puts_a_missing_member_back_on_the_tasks(db):
    sync_units_from_fixture()
    run_import(PLAN)
    towns = DepartmentGroup.objects.get(name="各镇办")
    leaving = towns.members.order_by("pk").first()
    towns.members.remove(leaving)
    refresh_effective_assignments()
    task1 = Task.objects.get(number=1)
    assert leaving.name not in cells(task1)

    report = sync_units_from_fixture()
    assert report.members_added == 1
    assert cells(task1)[leaving.name] == "supporting"
    assert table() == rule()


def test_the_command_repairs_the_table_and_then_finds_nothing_to_do(db):
    sample = build_sample_plan()
    right = table()
    EffectiveAssignment.objects.filter(task=sample.tasks[1]).delete()
    EffectiveAssignment.objects.filter(task=sample.tasks[2], is_primary=True, role="lead").update(role="supporting")
    out = io.StringIO()
    call_command("refresh_effective_assignments", stdout=out)
    assert "新增" in out.getvalue() and "删除 1 条" in out.getvalue()
    assert table() == right
    out = io.StringIO()
    call_command("refresh_effective_assignments", "--task", str(sample.tasks[1].pk), stdout=out)
    assert out.getvalue().strip() == "1 项任务的实际承担单位均已是最新，未作修改。"


def test_the_data_migration_fills_the_table_from_stored_assignments(db):
    build_sample_plan()
    right = table()
    assert right  # the factories wrote it
    EffectiveAssignment.objects.all().delete()
    migration = importlib.import_module("tasks.migrations.0003_effective_assignment")
    migration.backfill(apps, SimpleNamespace(connection=connection))
    assert table() == right == rule()


def test_a_unit_both_leading_and_named_supporting_counts_as_lead_everywhere(world):
    """Lead wins (tasks.selectors.unit_cells): the task API's ?lead= / ?supporting= filters, a unit's
    task counts and its task overview count the task once, as led, as the portal and the board do."""
    from rest_framework.test import APIClient

    from departments.models import Department
    from tasks.selectors import department_task_counts, department_task_overview, unit_cells
    from tasks.tests.factories import SupportingFactory

    task = world.tasks[1]  # led by 市发改局
    SupportingFactory(task=task, department=world.fagai)  # … and named among its supporting units
    assert unit_cells(department=world.fagai).get(task=task).role == AssignmentRole.LEAD
    client = APIClient()
    client.force_login(world.plan_office)

    def listed(**params):
        return {row["id"] for row in client.get("/api/tasks/", params).json()["results"]}

    assert task.pk in listed(lead=world.fagai.pk) and task.pk not in listed(supporting=world.fagai.pk)
    assert task.pk in listed(unit=world.fagai.pk)
    counts = department_task_counts(Department.objects.filter(pk=world.fagai.pk)).get()
    cells = unit_cells(department=world.fagai)
    assert counts.led_task_count == cells.filter(role=AssignmentRole.LEAD).count()
    assert counts.supported_task_count == cells.filter(role=AssignmentRole.SUPPORTING).count()
    overview = department_task_overview(department=world.fagai)
    assert task in overview["led"] and task not in overview["supporting"]
