"""Drafting as a service: a draft from a report with suggested units, edits, acceptance into a plan."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from drafting import selectors
from drafting.models import Draft, DraftStatus, DraftTask
from drafting.services import accept_draft, create_draft, update_draft_task
from tasks.models import Assignment, AssignmentRole, Plan, Task
from xingping_tracker.core.exceptions import ApplicationError

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(seed_plan, hanzhong_report):
    return create_draft(
        text=hanzhong_report, title="汉中市2024年重点工作任务分工方案", suggester=selectors.suggester(), year=2024
    )


def test_past_tasks_come_from_the_database_in_two_queries(seed_plan, seed_past_tasks):
    with CaptureQueriesContext(connection) as queries:
        past = selectors.past_tasks()
    assert len(queries) == 2  # tasks with their plan; assignments with their departments and groups
    assert len(past) == 210
    assert {t.number: (t.lead, t.supporting) for t in past} == {
        t.number: (t.lead, t.supporting) for t in seed_past_tasks
    }


def test_draft_holds_every_candidate_with_units_confidence_and_similar_tasks(draft):
    tasks = list(draft.tasks.order_by("position"))
    assert len(tasks) == 51
    toilets = next(t for t in tasks if t.text == "新建和改建卫生厕所2.3万座以上")
    assert toilets.lead == toilets.suggestion["lead"][0]["name"]
    assert toilets.lead in {"市人居办", "市农业农村局"}
    assert 0 < toilets.confidence <= 1
    assert toilets.suggestion["similar"][0]["number"] == 123
    assert toilets.targets[0]["value"] == 2.3
    assert draft.status == DraftStatus.DRAFT


def test_edit_and_accept_into_a_new_plan(draft):
    tasks = list(draft.tasks.order_by("position"))
    update_draft_task(
        task=tasks[0], text=tasks[0].text, lead="市农业农村局", supporting="各镇办、市财政局", included=True
    )
    for task in tasks[3:]:
        update_draft_task(task=task, text=task.text, lead=task.lead, supporting=task.supporting, included=False)
    update_draft_task(
        task=tasks[2], text="新建和改建卫生厕所2.5万座以上", lead="市农业农村局", supporting="", included=True
    )

    plan = accept_draft(draft=draft)
    draft.refresh_from_db()
    assert draft.status == DraftStatus.ACCEPTED and draft.plan == plan
    assert plan.title == "汉中市2024年重点工作任务分工方案"
    assert str(plan.period_end) == "2024-12-31"
    numbers = list(Task.objects.filter(plan=plan).order_by("number").values_list("number", "text"))
    assert numbers == [(1, tasks[0].text), (2, tasks[1].text), (3, "新建和改建卫生厕所2.5万座以上")]
    first = Task.objects.get(plan=plan, number=1)
    units = [
        (a.role, a.department.name if a.department else a.group.name)
        for a in first.assignments.order_by("role", "position")
    ]
    assert units == [
        (AssignmentRole.LEAD, "市农业农村局"),
        (AssignmentRole.SUPPORTING, "各镇办"),
        (AssignmentRole.SUPPORTING, "市财政局"),
    ]
    third = Task.objects.get(plan=plan, number=3)
    assert [(t.indicator, float(t.value), t.unit) for t in third.targets.all()] == [("新建和改建卫生厕所", 2.5, "万座")]
    # The plan's source text is a 分工方案 the importer reads back.
    assert "3.新建和改建卫生厕所2.5万座以上。（牵头单位：市农业农村局）" in plan.source_text


def test_an_accepted_draft_is_not_changed_again(draft):
    accept_draft(draft=draft)
    with pytest.raises(ApplicationError, match="已生成方案"):
        accept_draft(draft=draft)
    task = draft.tasks.first()
    with pytest.raises(ApplicationError, match="已生成方案"):
        update_draft_task(task=task, text="改", lead="市发改局", supporting="", included=True)


def test_bad_edits_are_refused_and_write_nothing(draft):
    task = draft.tasks.order_by("position").first()
    before = (task.text, task.lead)
    with pytest.raises(ApplicationError, match="请填写牵头单位"):
        update_draft_task(task=task, text="新任务", lead=" ", supporting="", included=True)
    with pytest.raises(ApplicationError, match="任务内容不能为空"):
        update_draft_task(task=task, text="  ", lead="市发改局", supporting="", included=True)
    task.refresh_from_db()
    assert (task.text, task.lead) == before


def test_a_title_an_existing_plan_has_is_refused(seed_plan, hanzhong_report):
    draft = create_draft(text=hanzhong_report, title=seed_plan.title, suggester=selectors.suggester(), year=2024)
    plans = Plan.objects.count()
    with pytest.raises(ApplicationError, match="已有同名方案"):
        accept_draft(draft=draft)
    assert Plan.objects.count() == plans
    assert Assignment.objects.filter(task__plan__title=seed_plan.title).count() > 0


def test_a_report_without_commitments_is_refused(seed_plan):
    with pytest.raises(ApplicationError, match="没有找到可作为任务的内容"):
        create_draft(text="各位代表：\n现在我代表市政府报告工作。", title="x", suggester=selectors.suggester())
    assert not Draft.objects.exists() and not DraftTask.objects.exists()


class TestCommand:
    def test_json(self, seed_plan, ankang_report, tmp_path, capsys):
        path = tmp_path / "report.txt"
        path.write_text(ankang_report, encoding="utf-8")
        call_command("draft_plan", str(path), "--json")
        data = json.loads(capsys.readouterr().out)
        assert data["year"] == 2022
        assert len(data["candidates"]) == 46
        tea = next(c for c in data["candidates"] if c["text"] == "新建高标准茶园2万亩")
        assert tea["targets"][0]["value"] == 2
        assert tea["suggestion"]["lead"][0]["name"]
        assert tea["suggestion"]["similar"]
        assert not Draft.objects.exists()

    def test_save(self, seed_plan, ankang_report, tmp_path):
        path = tmp_path / "report.txt"
        path.write_text(ankang_report, encoding="utf-8")
        call_command("draft_plan", str(path), "--save", "安康市2022年重点工作任务分工方案")
        assert Draft.objects.get().tasks.count() == 46

    def test_missing_file(self, seed_plan):  # the database as make run leaves it (and the module shares it)
        with pytest.raises(CommandError, match="找不到文件"):
            call_command("draft_plan", "/nonexistent/report.txt")
