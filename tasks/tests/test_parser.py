"""The pure parser against the 兴平 plan and against small hand-written documents."""

import contextlib
import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tasks.importer.parser import parse_plan_text
from tasks.importer.types import PlanParseError
from xingping_tracker.core.exceptions import ErrorCode


@pytest.fixture(scope="module")
def seed(seed_text, fixture_directory):
    return parse_plan_text(seed_text, directory=fixture_directory)


@pytest.fixture(scope="module")
def by_number(seed):
    return {t.number: t for t in seed.tasks}


def names(units):
    return [u.display for u in units]


class TestXingpingPlan:
    def test_exactly_210_tasks_numbered_1_to_210(self, seed):
        assert [t.number for t in seed.tasks] == list(range(1, 211))

    def test_plan_metadata(self, seed):
        plan = seed.plan
        assert plan.title == "兴平市国民经济和社会发展第十四个五年规划和二O三五年远景纲要任务分工方案"
        assert plan.issuer == "兴平市人民政府办公室"
        assert plan.document_number == "兴政办发〔2022〕20号"
        assert plan.issued_on == dt.date(2022, 7, 25)
        assert (plan.period_start, plan.period_end) == (dt.date(2021, 1, 1), dt.date(2025, 12, 31))
        assert plan.vision_year == 2035

    def test_binding_indicators_are_exactly_the_starred_ones(self, seed):
        assert {t.number for t in seed.tasks if t.binding} == {29, 30, 31, 32, 33, 34, 43}

    def test_kinds_follow_the_chapters(self, by_number):
        kinds = {n: t.kind for n, t in by_number.items()}
        assert {n for n, k in kinds.items() if k == "positioning"} == set(range(1, 12))
        assert {n for n, k in kinds.items() if k == "indicator"} == set(range(12, 45))
        assert {n for n, k in kinds.items() if k == "vision"} == set(range(45, 50))
        assert {n for n, k in kinds.items() if k == "measure"} == set(range(50, 211))

    def test_vision_targets_are_incentive_and_run_to_2035(self, by_number):
        for n in range(45, 50):
            assert by_number[n].incentive
            assert by_number[n].deadline == dt.date(2035, 12, 31)
        assert not any(by_number[n].incentive for n in (1, 29, 50, 210))

    def test_sections(self, by_number):
        assert [s.heading for s in by_number[1].section] == ["一、目标定位"]
        assert [s.heading for s in by_number[12].section] == ["二、主要指标", "（一）“十四五”时期主要目标"]
        assert [s.heading for s in by_number[45].section] == ["二、主要指标", "（二）远景目标(激励性目标)"]
        assert [s.heading for s in by_number[117].section] == ["三、重要举措任务及分工", "（五）精准施策,推进农业强农村美农民富"]
        assert by_number[200].section[-1].label == "（十一）"

    def test_missing_section_headings_are_reported(self, seed, by_number):
        gap_warnings = [w for w in seed.warnings if "缺少" in w and "标题" in w]
        assert len(gap_warnings) == 2
        assert "（三）、（四）" in gap_warnings[0] and "69–116" in gap_warnings[0]
        assert "（八）、（九）、（十）" in gap_warnings[1] and "140–199" in gap_warnings[1]
        # Tasks under a missing heading stay with the last heading the text gives.
        assert by_number[100].section[-1].label == "（二）"
        assert by_number[160].section[-1].label == "（七）"

    def test_every_unit_in_the_seed_resolves(self, seed):
        assert seed.unresolved_names == []
        assert not [w for w in seed.warnings if "无法识别" in w]

    @pytest.mark.parametrize(
        ("number", "lead", "supporting", "open_ended"),
        [
            (1, ["市发改局"], ["市级相关部门", "各镇办"], False),
            (11, ["市农业农村局"], ["市乡村振兴局", "市水利局", "市一体办", "各镇办"], True),
            (16, ["市科技局"], [], False),
            (44, ["市粮食局"], [], False),
            (50, ["市科技局"], ["市工信局", "市工业园区", "市商务局", "市城投公司"], True),
            (67, ["市金融办"], ["市财政局", "市科技局", "人民银行兴平市支行"], True),
            (88, ["市住建局"], ["市交通运输局", "市发改局", "市绿化办", "相关镇办"], True),
            (100, ["市商务局"], ["市市场监管局", "市发改局", "市交通运输局"], True),
            (110, ["市水务集团"], ["各镇办"], False),
            (154, ["市发改局"], ["市商务局", "市农业农村局", "店张街道", "南位镇"], True),
            (188, ["市委宣传部"], ["市委党校", "市委文明办", "市教育局", "市公安局", "市政务信息中心"], True),
            (200, ["市委政法委"], ["市公安局", "咸阳市公安局秦岭分局", "市司法局", "市人民法院", "市人民检察院"], True),
            (210, ["市发改局"], ["市委市政府督查室", "市考核办", "市统计局"], True),
        ],
    )
    def test_lead_and_supporting_units(self, by_number, number, lead, supporting, open_ended):
        task = by_number[number]
        assert names(task.lead) == lead
        assert names(task.supporting) == supporting
        assert task.supporting_open_ended is open_ended

    def test_units_are_kept_as_written(self, by_number):
        assert [u.written for u in by_number[50].lead] == ["市发改局〈科技局〉"]
        assert [u.written for u in by_number[1].supporting] == ["市级相关部门", "各镇办"]
        assert all(u.is_group for u in by_number[1].supporting)

    def test_annotation_before_the_final_full_stop(self, by_number):
        task = by_number[88]
        assert task.text.endswith("完成国省道农村公路提升改造。")
        assert "牵头部门" not in task.text
        assert task.annotation.startswith("(牵头部门:市住建局")

    def test_text_excludes_the_annotation(self, by_number):
        assert by_number[12].text == "全市生产总值年均增长7%。"
        assert by_number[29].text == "单位GDP能耗累计降低12.5%。"

    def test_milestones_of_task_50(self, by_number):
        task = by_number[50]
        assert [(m.date, m.text) for m in task.milestones] == [
            (dt.date(2022, 12, 31), "创建县域创新示范县(市)和省级高新技术产业开发区"),
            (dt.date(2025, 12, 31), "建设省级以上专业孵化器3-5个"),
        ]
        assert task.deadline == dt.date(2025, 12, 31)
        assert task.deadline_text == "到2025年"

    def test_early_milestone_sets_the_deadline(self, by_number):
        assert by_number[51].deadline == dt.date(2023, 12, 31)
        assert [m.date for m in by_number[51].milestones] == [dt.date(2023, 12, 31)]

    def test_fourteenth_five_year_period_phrases(self, by_number):
        # "“十四五”期间,谋划重大建设项目440个" and "到“十四五”末,企业劳动合同签订率达到100%"
        assert by_number[92].deadline == dt.date(2025, 12, 31)
        assert "十四五" in by_number[92].deadline_text
        assert by_number[171].milestones[-1].date == dt.date(2025, 12, 31)

    def test_measures_without_a_date_run_to_the_end_of_the_plan(self, by_number):
        assert by_number[53].milestones == []
        assert by_number[53].deadline == dt.date(2025, 12, 31)
        assert by_number[53].deadline_text == "规划期末"

    def test_target_of_task_16(self, by_number):
        (target,) = by_number[16].targets
        assert target.indicator == "研发经费支出占生产总值比重"
        assert (target.value, target.unit, target.direction, target.basis, target.year) == (
            Decimal("1.5"), "%", "at_least", "level", 2025
        )

    def test_target_of_task_29_is_a_cumulative_reduction(self, by_number):
        (target,) = by_number[29].targets
        assert target.indicator == "单位GDP能耗"
        assert (target.value, target.unit, target.direction, target.basis) == (Decimal("12.5"), "%", "reduce_by", "cumulative")

    def test_target_of_task_32_is_a_ceiling(self, by_number):
        (target,) = by_number[32].targets
        assert target.indicator == "城市细颗粒物(PM2.5)平均浓度"
        assert (target.value, target.unit, target.direction) == (Decimal("53"), "微克/立方米", "at_most")

    def test_targets_of_task_36_level_and_growth(self, by_number):
        level, growth = by_number[36].targets
        assert (level.indicator, level.value, level.unit, level.basis) == ("居民人均可支配收入", Decimal("39365"), "元", "level")
        assert (growth.indicator, growth.value, growth.unit, growth.basis) == (
            "居民人均可支配收入", Decimal("7"), "%", "annual_growth"
        )

    def test_measure_targets(self, by_number):
        (incubators,) = by_number[50].targets
        assert (incubators.value, incubators.value_max, incubators.unit, incubators.year) == (Decimal(3), Decimal(5), "个", 2025)
        firms = by_number[58].targets[0]
        assert (firms.indicator, firms.value, firms.unit, firms.direction) == ("新增高新技术企业", Decimal(20), "户", "at_least")
        doubling = by_number[45].targets[0]
        assert (doubling.value, doubling.unit, doubling.basis, doubling.baseline_year, doubling.year) == (
            Decimal(2), "倍", "multiple", 2020, 2035
        )

    def test_every_indicator_but_44_has_a_target(self, by_number, seed):
        assert [n for n in range(12, 45) if not by_number[n].targets] == [44]
        assert "任务44：指标没有写明目标值，请在管理后台补充。" in seed.warnings

    def test_full_width_punctuation_gives_the_same_result(self, seed_text, fixture_directory, seed):
        table = str.maketrans({"(": "（", ")": "）", ":": "：", ",": "，"})
        wide = parse_plan_text(seed_text.translate(table), directory=fixture_directory)
        assert [(t.number, names(t.lead), names(t.supporting), t.binding, t.kind) for t in wide.tasks] == [
            (t.number, names(t.lead), names(t.supporting), t.binding, t.kind) for t in seed.tasks
        ]

    def test_json_contract(self, seed):
        data = json.loads(json.dumps(seed.as_json(), ensure_ascii=False))
        assert set(data) == {"plan", "tasks", "warnings"}
        task = data["tasks"][49]
        assert {"number", "text", "section", "kind", "binding", "incentive", "lead", "supporting", "deadline",
                "milestones", "targets"} <= set(task)
        assert task["number"] == 50
        assert task["deadline"] == "2025-12-31"
        assert task["milestones"][0] == {"date": "2022-12-31", "text": "创建县域创新示范县(市)和省级高新技术产业开发区"}
        assert task["lead"] == ["市科技局"]


class TestSmallDocuments:
    def parse(self, text, directory):
        return parse_plan_text(text, directory=directory)

    def test_unlabelled_list_first_unit_leads(self, fixture_directory):
        result = self.parse("1.做好统计工作。（市统计局、市发改局、财政局）", fixture_directory)
        (task,) = result.tasks
        assert names(task.lead) == ["市统计局"]
        assert names(task.supporting) == ["市发改局", "市财政局"]
        assert task.text == "做好统计工作。"

    def test_unknown_unit_is_a_warning_naming_the_task(self, fixture_directory):
        result = self.parse("7.建设数据中心。(牵头部门:市大数据局,配合部门:市财政局)", fixture_directory)
        (task,) = result.tasks
        assert task.lead[0].name is None and task.lead[0].written == "市大数据局"
        assert any("任务7" in w and "市大数据局" in w for w in result.warnings)
        assert result.unresolved_names == ["市大数据局"]

    def test_missing_annotation_is_a_warning(self, fixture_directory):
        result = self.parse("3.推进改革。", fixture_directory)
        assert "任务3：未写明牵头单位，请在管理后台补充。" in result.warnings

    def test_annotation_on_the_next_line(self, fixture_directory):
        result = self.parse("3.推进改革。\n（牵头单位：市委改革办；配合单位：市级相关部门）", fixture_directory)
        (task,) = result.tasks
        assert names(task.lead) == ["市委改革办"] and names(task.supporting) == ["市级相关部门"]

    def test_deadline_label_and_month(self, fixture_directory):
        result = self.parse("5.完成规划编制。(牵头单位:市自然资源局;完成时限:2023年6月底前)", fixture_directory)
        (task,) = result.tasks
        assert task.deadline == dt.date(2023, 6, 30)
        assert task.deadline_text == "2023年6月底前"

    def test_year_2035_in_text(self, fixture_directory):
        result = self.parse("9.到2035年,基本实现现代化。(牵头部门:市发改局)", fixture_directory)
        assert result.tasks[0].deadline == dt.date(2035, 12, 31)

    def test_several_milestones_in_one_task(self, fixture_directory):
        result = self.parse("4.到2023年,建成A。到2024年6月底前,建成B。到2025年,建成C。(牵头部门:市发改局)", fixture_directory)
        assert [(m.date, m.text) for m in result.tasks[0].milestones] == [
            (dt.date(2023, 12, 31), "建成A"),
            (dt.date(2024, 6, 30), "建成B"),
            (dt.date(2025, 12, 31), "建成C"),
        ]

    def test_numbering_gap_is_a_warning(self, fixture_directory):
        result = self.parse("1.甲。(牵头部门:市发改局)\n2.乙。(牵头部门:市发改局)\n5.丙。(牵头部门:市发改局)", fixture_directory)
        assert "任务序号不连续：缺少第3–4项。" in result.warnings

    @pytest.mark.parametrize(
        ("text", "code"),
        [
            ("", ErrorCode.IMPORT_EMPTY),
            ("  \n\n\t ", ErrorCode.IMPORT_EMPTY),
            ("这是一份通知。\n没有编号任务。", ErrorCode.IMPORT_NO_TASKS),
            ("1.甲。(牵头部门:市发改局)\n1.乙。(牵头部门:市财政局)", ErrorCode.IMPORT_DUPLICATE_TASK),
        ],
    )
    def test_bad_documents_raise_a_chinese_error(self, fixture_directory, text, code):
        with pytest.raises(PlanParseError) as error:
            self.parse(text, fixture_directory)
        assert error.value.code == code
        assert re.search(r"[\u4e00-\u9fff]", error.value.message)

    def test_duplicate_error_names_the_lines(self, fixture_directory):
        with pytest.raises(PlanParseError, match="第1项在第1行和第3行"):
            self.parse("1.甲。(牵头部门:市发改局)\n说明\n1.乙。", fixture_directory)


# ---------------------------------------------------------------------------------------------------------
# Property: for any text the parser raises only its own error, and every "N." task line comes back once.

_noise_line = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60).map(
    lambda s: s.replace("\n", " ").replace("\r", " ")
)
_task_body = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=60
).filter(lambda s: s.strip() and not s.lstrip()[:1].isdigit())


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_text_raises_only_parse_errors(fixture_directory, text):
    # Any other exception type fails the test.
    with contextlib.suppress(PlanParseError):
        parse_plan_text(text, directory=fixture_directory)


@settings(max_examples=150, deadline=None)
@given(
    numbers=st.lists(st.integers(min_value=1, max_value=9999), min_size=1, max_size=12, unique=True),
    bodies=st.lists(_task_body, min_size=12, max_size=12),
    noise=st.lists(_noise_line, min_size=12, max_size=12),
)
def test_every_task_line_comes_back_exactly_once(fixture_directory, numbers, bodies, noise):
    lines = []
    for i, number in enumerate(numbers):
        # Noise must not itself be a task line, or it would (rightly) be counted.
        lines.append(re.sub(r"^\s*[*＊]?\s*\d", "x", noise[i]))
        lines.append(f"{number}.{bodies[i].strip()}")
    try:
        result = parse_plan_text("\n".join(lines), directory=fixture_directory)
    except PlanParseError as error:
        # Only a noise line that happens to be another task line with the same number can cause this.
        assert error.code == ErrorCode.IMPORT_DUPLICATE_TASK
        return
    assert sorted(t.number for t in result.tasks) == sorted(numbers)
