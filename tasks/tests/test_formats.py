"""Task-division documents of other governments: one short fixture per layout, each with its expected JSON
(``fixtures/formats/NAME.json`` is ``import_plan --dry-run --json`` of ``NAME.txt``), plus the points of
each layout asserted by name so a failure says what broke."""

import json
from pathlib import Path

import pytest

from tasks.importer.decoding import decode_document
from tasks.importer.parser import parse_plan_text
from tasks.tests.docx_builder import DocxBuilder
from tasks.tests.format_directory import format_directory

FORMATS = Path(__file__).resolve().parent / "fixtures" / "formats"
NAMES = sorted(p.stem for p in FORMATS.glob("*.txt"))


@pytest.fixture(scope="module")
def directory():
    return format_directory()


def parse(name, directory):
    return parse_plan_text((FORMATS / f"{name}.txt").read_text(encoding="utf-8"), directory=directory)


def tasks_of(name, directory):
    return {t["number"]: t for t in parse(name, directory).as_json()["tasks"]}


@pytest.mark.parametrize("name", NAMES)
def test_expected_json(name, directory):
    expected = json.loads((FORMATS / f"{name}.json").read_text(encoding="utf-8"))
    assert json.loads(json.dumps(parse(name, directory).as_json(), ensure_ascii=False)) == expected


def test_docx_table_with_leaders_and_deadline_columns(directory):
    data = (
        DocxBuilder()
        .paragraph("2024年重点工作任务分工表")
        .table(
            [
                ["序号", "重点工作", "牵头单位", "责任单位", "责任领导", "完成时限"],
                ["1", "新建5G基站800个", "市工信局", ["市住建局", "中国移动兴平分公司"], "张明", "2024年12月底前"],
                ["2", "完成老旧小区改造15个", "市住建局", "各镇办", "李强", "9月底"],
            ]
        )
        .to_bytes()
    )
    result = parse_plan_text(decode_document(data, filename="分工表.docx"), directory=directory)
    expected = json.loads((FORMATS / "table_docx.json").read_text(encoding="utf-8"))
    assert json.loads(json.dumps(result.as_json(), ensure_ascii=False)) == expected


class TestBracketsAndLabels:
    def test_every_bracket_kind_carries_the_division(self, directory):
        tasks = tasks_of("brackets", directory)
        assert [tasks[n]["lead"] for n in (1, 4, 5)] == [["省通信管理局"], ["省农业农村厅"], ["省商务厅"]]
        assert tasks[5]["supporting"] == ["省邮政管理局"]
        assert all("牵头" not in t["text"] and "责任单位" not in t["text"] for t in tasks.values())

    def test_shared_responsibility_makes_every_listed_unit_a_lead(self, directory):
        task = tasks_of("brackets", directory)[3]
        assert task["lead"] == ["省工业和信息化厅", "省科技厅", "各市（区）政府"]
        assert task["supporting"] == []

    def test_labelled_lines_after_the_task(self, directory):
        tasks = tasks_of("labelled_lines", directory)
        assert (tasks[2]["lead"], tasks[2]["supporting"]) == (["市财政局"], ["市发改局", "市工信局"])
        assert tasks[3]["lead"] == ["市市场监管局"]
        assert (tasks[4]["lead"], tasks[4]["supporting"]) == (["市发改局"], ["各镇办", "市级相关部门"])


class TestLeaders:
    def test_person_fields_are_leaders_never_units(self, directory):
        result = parse("leaders", directory)
        tasks = {t.number: t for t in result.tasks}
        assert [tasks[n].responsible_leaders for n in (1, 2, 3, 4)] == [["张明"], ["李强"], ["王伟", "赵磊"], ["陈静"]]
        units = {u.display for t in result.tasks for u in (*t.lead, *t.supporting)}
        assert not units & {"张明", "李强", "王伟", "赵磊", "陈静"}
        assert result.unresolved_names == []


class TestLeadRules:
    def test_verb_marks_the_lead(self, directory):
        tasks = tasks_of("verb_lead", directory)
        assert (tasks[1]["lead"], tasks[1]["supporting"]) == (["省工业和信息化厅"], ["省发展改革委", "省科技厅"])
        assert (tasks[4]["lead"], tasks[4]["supporting"]) == (["省发展改革委"], ["省财政厅", "各市（区）政府"])

    def test_first_listed_rule_stated_once(self, directory):
        tasks = tasks_of("rule_first_listed", directory)
        assert (tasks[1]["lead"], tasks[1]["supporting"]) == (["县农业农村局"], ["县财政局", "县自然资源局"])

    def test_each_leads_rule(self, directory):
        tasks = tasks_of("rule_each_leads", directory)
        assert tasks[2]["lead"] == ["市农业农村局", "市卫健局"]

    def test_several_responsible_units_without_a_rule_are_co_leads_with_a_warning(self, directory):
        result = parse("brackets", directory)
        assert [u.display for u in result.tasks[1].lead] == ["省发展改革委", "省工业和信息化厅"]
        assert any(w.startswith("任务2：所列2个责任单位未说明谁牵头") for w in result.warnings)


class TestGroups:
    def test_group_phrases_with_a_comma_stay_one_group(self, directory):
        tasks = tasks_of("groups", directory)
        assert tasks[1]["supporting"] == ["省政府各部门、各直属机构"]
        assert tasks[2]["supporting"] == ["各区、县级市"]
        assert tasks[3]["supporting"] == ["各县（市、区）政府"]
        assert tasks[4]["supporting"] == ["各街道", "区直各部门", "各相关单位"]
        assert tasks[5]["supporting"] == ["市级相关单位", "各项目牵头单位"]

    def test_unknown_groups_are_flagged_as_groups(self, directory):
        result = parse("groups", directory)
        assert all(u.is_group for t in result.tasks for u in t.supporting)
        assert not [w for w in result.warnings if "无法识别" in w]


class TestNumbering:
    def test_continuous_numbers_across_headings(self, directory):
        tasks = tasks_of("continuous_numbers", directory)
        assert sorted(tasks) == [1, 2, 3, 4]
        assert tasks[3]["section"] == ["一、创新驱动", "（二）培育创新人才"]

    def test_heading_numbers_the_task(self, directory):
        tasks = tasks_of("heading_numbered", directory)
        assert [tasks[n]["label"] for n in (1, 2, 3, 4)] == ["（一）", "（二）", "（一）", "（二）"]
        assert (tasks[4]["lead"], tasks[4]["supporting"]) == (["区住建局"], ["各街道"])

    def test_three_levels_only_the_deepest_are_tasks(self, directory):
        tasks = tasks_of("three_levels", directory)
        assert [t["label"] for t in tasks.values()] == ["1.（1）", "1.（2）", "2.（1）", "1.（1）"]
        assert tasks[3]["section"] == ["（一）保障粮食安全", "2.强化农资保障"]

    def test_odd_dot_and_number_running_into_digits(self, directory):
        tasks = tasks_of("odd_numbering", directory)
        assert sorted(tasks) == [10, 11, 12]
        assert tasks[11]["text"].startswith("121人才梯队项目")


class TestTablesAndDeadlines:
    @pytest.mark.parametrize("name", ["table_pipe", "table_cells", "table_glued"])
    def test_flattened_tables(self, name, directory):
        tasks = tasks_of(name, directory)
        assert tasks[1]["text"] == "新建5G基站800个"
        assert (tasks[1]["lead"], tasks[1]["supporting"]) == (["市工信局"], ["市住建局", "中国移动兴平分公司"])
        assert tasks[1]["responsible_leaders"] == ["张明"]
        assert tasks[1]["deadline"] == "2024-12-31"

    def test_glued_table_warns_and_leaves_the_lead_to_decide(self, directory):
        result = parse("table_glued", directory)
        assert any("表格各栏连在一起" in w for w in result.warnings)
        assert [t.undecided for t in result.tasks] == [["lead"], ["lead"]]
        assert all(t.undecided == [] for t in parse("table_pipe", directory).tasks)

    def test_deadline_forms(self, directory):
        tasks = tasks_of("deadlines", directory)
        assert [tasks[n]["deadline"] for n in range(1, 7)] == [
            "2024-06-30",
            "2024-09-30",
            "2024-12-31",
            "2024-12-31",
            None,
            "2024-08-31",
        ]
        assert tasks[5]["deadline_continuous"] is True
        assert tasks[5]["deadline_text"] == "持续推进"


def test_page_noise_and_wrapped_lines(directory):
    result = parse("page_noise", directory)
    assert result.plan.document_number == "兴政办发〔2024〕5号"
    assert [t.number for t in result.tasks] == [1, 2]
    assert [u.display for u in result.tasks[0].supporting] == ["市统计局", "市工信局"]
    assert result.tasks[1].text.endswith("持续扩大有效投资。")
    assert result.warnings == []
