"""The import service and command against the real database: attribution, idempotency, updates, rollback."""

import io
import json
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

from departments.models import Department, DepartmentAlias, DepartmentGroup
from departments.services import sync_units_from_fixture
from tasks.importer.parser import parse_plan_text
from tasks.models import Assignment, Milestone, Plan, Section, Target, Task
from tasks.services.plan_documents import current_unit_directory
from tasks.services.plan_import import Resolution, import_plan
from xingping_tracker.tests.sharing import module_fixtures

pytestmark = pytest.mark.django_db


def history_rows() -> int:
    return sum(
        model.objects.count()
        for model in apps.get_models()
        if model.__name__.startswith("Historical") and model._meta.app_label in ("tasks", "departments")
    )


def all_rows() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in (Plan, Section, Task, Assignment, Milestone, Target, Department)} | {
        "history": history_rows()
    }


def run_import(text: str, **kwargs):
    return import_plan(result=parse_plan_text(text, directory=current_unit_directory()), source_text=text, **kwargs)


# The fixture's units, loaded once per module where they may be (xingping_tracker.tests.sharing):
# every test here uses them.
_module_units, units = module_fixtures(sync_units_from_fixture, name="units")


@pytest.fixture
def imported(units, seed_text):
    return run_import(seed_text)


class TestFirstImport:
    def test_everything_arrives(self, imported):
        plan = imported.plan
        assert imported.plan_created and len(imported.tasks_created) == 210
        assert plan.document_number == "兴政办发〔2022〕20号"
        assert plan.tasks.count() == 210
        assert set(plan.tasks.filter(binding=True).values_list("number", flat=True)) == {29, 30, 31, 32, 33, 34, 43}
        assert Assignment.objects.filter(department__isnull=True, group__isnull=True).count() == 0
        assert imported.unresolved == []

    def test_hosted_unit_leads_task_50(self, imported):
        task = Task.objects.get(number=50)
        lead = task.assignments.get(role="lead")
        assert lead.department.name == "市科技局"
        assert lead.department.host.name == "市发改局"
        assert lead.name_as_written == "市发改局〈科技局〉"
        assert list(task.milestones.values_list("due_on__year", flat=True)) == [2022, 2025]

    def test_placeholders_are_kept_as_written(self, imported):
        supporting = Task.objects.get(number=1).assignments.filter(role="supporting").order_by("position")
        assert [(a.group.name, a.department) for a in supporting] == [("市级相关部门", None), ("各镇办", None)]

    def test_every_department_sees_its_tasks(self, imported):
        industry = Department.objects.get(name="市工信局")
        led = set(Task.objects.filter(assignments__department=industry, assignments__role="lead").values_list("number", flat=True))
        assert {6, 7, 15, 19, 20, 52, 57, 69, 102, 116} <= led
        supported = set(
            Task.objects.filter(assignments__department=industry, assignments__role="supporting").values_list("number", flat=True)
        )
        assert {2, 10, 50, 51, 54} <= supported

    def test_sections_tree(self, imported):
        chapters = Section.objects.filter(parent__isnull=True).order_by("position")
        assert [c.heading for c in chapters] == ["一、目标定位", "二、主要指标", "三、重要举措任务及分工"]
        assert Task.objects.get(number=117).section.heading == "（五）精准施策,推进农业强农村美农民富"
        assert Task.objects.get(number=1).section.heading == "一、目标定位"

    def test_targets_are_stored(self, imported):
        (target,) = Task.objects.get(number=16).targets.all()
        assert (target.value, target.unit, target.direction, target.year) == (Decimal("1.5"), "%", "at_least", 2025)
        assert Target.objects.filter(task__kind="indicator").values("task").distinct().count() == 32

    def test_history_records_creation(self, imported):
        assert Task.history.filter(history_type="+").count() == 210
        assert Assignment.history.filter(history_type="+").count() == Assignment.objects.count()


class TestReimport:
    def test_same_file_changes_nothing(self, imported, seed_text):
        before = all_rows()
        stamps = dict(Task.objects.values_list("id", "updated_at"))
        report = run_import(seed_text)
        assert not report.changed
        assert report.tasks_unchanged == 210
        assert all_rows() == before
        assert dict(Task.objects.values_list("id", "updated_at")) == stamps
        assert "未作任何修改" in report.summary()

    def test_edited_file_updates_in_place(self, imported, seed_text):
        ids = dict(Task.objects.values_list("number", "id"))
        target_id = Task.objects.get(number=12).targets.get().pk
        removed = Assignment.objects.get(task__number=50, department__name="市城投公司")
        edited = (
            seed_text.replace("12.全市生产总值年均增长7%。", "12.全市生产总值年均增长7.5%。")
            .replace("工业园区、商务局、城投公司等)", "工业园区、商务局等)")
            .replace("四、工作要求", "211.新增一项任务。(牵头部门:市统计局)\n四、工作要求")
        )
        report = run_import(edited)
        assert report.tasks_created == [211]
        assert report.tasks_updated == [12, 50]
        assert report.tasks_unchanged == 208
        assert dict(Task.objects.exclude(number=211).values_list("number", "id")) == ids
        task12 = Task.objects.get(number=12)
        assert task12.text == "全市生产总值年均增长7.5%。"
        target = task12.targets.get()
        assert (target.pk, target.value) == (target_id, Decimal("7.5"))
        assert not Assignment.objects.filter(pk=removed.pk).exists()
        assert Assignment.history.filter(id=removed.pk, history_type="-").exists()
        assert task12.history.filter(history_type="~").count() == 1
        assert task12.history.earliest().text == "全市生产总值年均增长7%。"

    def test_plan_office_expansion_survives_reimport(self, imported, seed_text):
        assignment = Assignment.objects.get(task__number=1, group__name="市级相关部门")
        finance = Department.objects.get(name="市财政局")
        assignment.expanded_to.add(finance)
        run_import(seed_text.replace("1.聚力建设西安都市圈核心区。", "1.聚力建设西安都市圈核心区!"))
        assignment.refresh_from_db()
        assert list(assignment.expanded_to.all()) == [finance]

    def test_missing_task_is_kept_and_reported(self, imported, seed_text):
        report = run_import(seed_text.replace("210.加强对规划实施", "加强对规划实施"))
        assert report.tasks_missing == [210]
        assert Task.objects.filter(number=210).exists()
        assert any("任务210在新版本中不存在" in w for w in report.warnings)


class TestUnknownUnits:
    TEXT = "兴平市某某方案\n1.建设数据中心。(牵头部门:市大数据局,配合部门:市财政局、数据公司)"

    def test_unresolved_name_is_kept_as_written(self, units):
        report = run_import(self.TEXT)
        assert report.unresolved == ["市大数据局", "数据公司"]
        lead = Assignment.objects.get(role="lead")
        assert (lead.department, lead.group, lead.name_as_written) == (None, None, "市大数据局")
        assert lead.display_name == "市大数据局（未识别）"

    def test_resolutions_map_and_create(self, units):
        finance = Department.objects.get(name="市政务信息中心")
        report = run_import(
            self.TEXT,
            resolutions={
                "市大数据局": Resolution(action="map", department_id=finance.pk),
                "数据公司": Resolution(action="create", kind="state_enterprise"),
            },
        )
        assert report.unresolved == []
        assert DepartmentAlias.objects.get(alias="市大数据局").department == finance
        assert Department.objects.get(name="数据公司").kind == "state_enterprise"
        assert Assignment.objects.get(role="lead").department == finance

    def test_a_failure_rolls_everything_back(self, units):
        before = all_rows()
        with pytest.raises(Department.DoesNotExist):
            run_import(self.TEXT, resolutions={"市大数据局": Resolution(action="map", department_id=999_999)})
        assert all_rows() == before


class TestCommand:
    def test_dry_run_json_prints_the_contract_and_writes_nothing(self, units, tmp_path, seed_text):
        path = tmp_path / "plan.txt"
        path.write_text(seed_text, encoding="utf-8")
        before = all_rows()
        out = io.StringIO()
        call_command("import_plan", str(path), "--dry-run", "--json", stdout=out)
        data = json.loads(out.getvalue())
        assert len(data["tasks"]) == 210
        assert data["plan"]["document_number"] == "兴政办发〔2022〕20号"
        assert data["tasks"][15]["lead"] == ["市科技局"]
        assert all_rows() == before

    def test_gbk_file_imports(self, units, tmp_path, seed_text):
        path = tmp_path / "plan-gbk.txt"
        path.write_bytes(seed_text.encode("gb18030"))
        out = io.StringIO()
        call_command("import_plan", str(path), stdout=out)
        assert "新增任务210项" in out.getvalue()
        assert Task.objects.count() == 210

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            (b"", "空"),
            (b"\x00\x01\x02\x03binary\x00\xff" * 50, ""),
            (b"\x81\x20\xfe\x7f" * 100, "编码"),
            ("这是一份通知，没有编号任务。".encode(), "没有找到编号任务"),
            ("1.甲。(牵头部门:市发改局)\n1.乙。".encode(), "任务序号重复"),
        ],
    )
    def test_bad_input_gets_a_chinese_error_and_writes_nothing(self, units, tmp_path, content, message):
        path = tmp_path / "bad.txt"
        path.write_bytes(content)
        before = all_rows()
        with pytest.raises(CommandError) as error:
            call_command("import_plan", str(path), stdout=io.StringIO())
        assert str(error.value).startswith("无法导入：")
        assert message in str(error.value)
        assert all_rows() == before

    def test_missing_file(self, units):
        with pytest.raises(CommandError, match="找不到文件"):
            call_command("import_plan", "no-such-plan.txt")


def test_group_members_are_loaded(units):
    towns = DepartmentGroup.objects.get(name="各镇办")
    assert towns.members.count() == 13


class TestDocx:
    """A .docx with paragraphs and a task table goes through decoding, parsing and writing like text."""

    def build(self) -> bytes:
        from tasks.tests.docx_builder import DocxBuilder

        return (
            DocxBuilder()
            .paragraph("某市“十四五”规划任务分工方案")
            .paragraph("某政办发〔2023〕7号")
            .paragraph("一、目标定位")
            .paragraph("1.聚力建设西安都市圈核心区。(牵头部门:市发改局,配合部门:市级相关部门,各镇办)")
            .table(
                [
                    ["序号", "重点任务", "牵头单位", "配合单位", "完成时限"],
                    ["二、主要指标", "", "", "", ""],
                    ["*2", "单位GDP能耗累计降低12.5%。", "市发改局", "", "2025年底前"],
                    ["3", "建成高标准基本农田39.7万亩。", "市农业农村局", ["市水利局", "乡村振兴局"], "2024年6月底前"],
                ],
                merges=[(1, 0, 1, 4)],
            )
            .to_bytes()
        )

    def test_docx_imports(self, units, tmp_path):
        path = tmp_path / "plan.docx"
        path.write_bytes(self.build())
        out = io.StringIO()
        call_command("import_plan", str(path), stdout=out)
        assert "新增任务3项" in out.getvalue()
        plan = Plan.objects.get()
        assert plan.document_number == "某政办发〔2023〕7号"
        task2 = plan.tasks.get(number=2)
        assert task2.binding and task2.kind == "indicator"
        assert task2.deadline.isoformat() == "2025-12-31"
        task3 = plan.tasks.get(number=3)
        assert task3.deadline.isoformat() == "2024-06-30"
        assert [a.department.name for a in task3.assignments.order_by("role", "position")] == [
            "市农业农村局", "市水利局", "市乡村振兴局"
        ]
        assert task3.targets.get().value == Decimal("39.7")
