"""The 33 main indicators of the 兴平 plan (tasks 12–44), imported by the plan importer, against a
table written by hand from the document (四、(一) 主要指标)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from departments.services import sync_units_from_fixture
from indicators.selectors import target_spec
from tasks.importer.parser import parse_plan_text
from tasks.models import Target
from tasks.services.plan_documents import current_unit_directory
from tasks.services.plan_import import import_plan
from tasks.tests.conftest import SEED
from xingping_tracker.tests.sharing import module_fixtures

pytestmark = pytest.mark.django_db

L, M, R = "at_least", "at_most", "reduce_by"
LEVEL, GROWTH, CUM = "level", "annual_growth", "cumulative"

# task → [(indicator, value, unit, direction, basis, year)], read from the document by hand.
EXPECTED: dict[int, list[tuple[str, str, str, str, str, int]]] = {
    12: [("全市生产总值", "7", "%", L, GROWTH, 2025)],
    13: [("全社会固定资产投资", "8", "%", L, GROWTH, 2025)],
    14: [("社会消费品零售总额", "8", "%", L, GROWTH, 2025)],
    15: [("规模以上工业增加值", "8", "%", L, GROWTH, 2025)],
    16: [("研发经费支出占生产总值比重", "1.5", "%", L, LEVEL, 2025)],
    17: [("规模以上工业企业中有研发活动企业占比", "20", "%", L, LEVEL, 2025)],
    18: [("每万人拥有高价值发明专利数", "3", "件", L, LEVEL, 2025)],
    19: [("规模以上工业企业战略性新兴产业总值占工业总产值比重", "20", "%", L, LEVEL, 2025)],
    20: [("数字经济核心产业增加值占GDP比重", "5", "%", L, LEVEL, 2025)],
    21: [("全员劳动生产率", "7", "万元/人", L, LEVEL, 2025)],
    22: [("地方财政公共预算收入", "6.3", "亿元", L, LEVEL, 2025)],
    23: [("常住人口城镇化率", "75", "%", L, LEVEL, 2025)],
    24: [("单位GDP建设用地使用面积", "495", "亩", M, LEVEL, 2025)],
    25: [("工业用地亩均税收", "30", "万元/亩", L, LEVEL, 2025)],
    26: [("工业用地亩均产值", "300", "万元/亩", L, LEVEL, 2025)],
    27: [("外贸进出口总额", "5", "%", L, GROWTH, 2025)],
    28: [
        ("营商环境评价(分)", "80", "分", L, LEVEL, 2025),
        ("营商环境评价在咸阳市排名", "3", "位", M, LEVEL, 2025),  # 排名保持前三位次: third or better
    ],
    29: [("单位GDP能耗", "12.5", "%", R, CUM, 2025)],
    30: [("单位GDP用水量", "5", "%", R, CUM, 2025)],
    31: [("单位GDP二氧化碳排放", "15", "%", R, CUM, 2025)],
    32: [("城市细颗粒物(PM2.5)平均浓度", "53", "微克/立方米", M, LEVEL, 2025)],
    33: [("城市地表水达到或好于Ⅲ类水体比例", "82", "%", L, LEVEL, 2025)],
    34: [("森林覆盖率", "40", "%", L, LEVEL, 2025)],
    35: [("城镇登记失业率", "4.3", "%", M, LEVEL, 2025)],
    36: [
        ("居民人均可支配收入", "39365", "元", L, LEVEL, 2025),
        ("居民人均可支配收入", "7", "%", L, GROWTH, 2025),
    ],
    37: [("劳动人口平均受教育年限", "13.5", "年", L, LEVEL, 2025)],
    38: [("基本养老参保人数", "40", "万人", L, LEVEL, 2025)],
    39: [("每千人口拥有3岁以下婴幼儿托位数", "3.2", "个", L, LEVEL, 2025)],
    40: [("预期寿命", "77", "岁", L, LEVEL, 2025)],
    41: [("每千人口拥有职业医师(助理)人数", "4.8", "人", L, LEVEL, 2025)],
    42: [("建设用地亩均就业", "150", "人/亩", L, LEVEL, 2025)],
    43: [("粮食产量", "19", "万吨", L, LEVEL, 2025)],  # 稳定在19万吨以上
    44: [],  # 能源综合生产总量: the document states no value; the plan office enters it in the admin
}


def import_seed_plan():
    seed_text = SEED.read_text(encoding="utf-8")  # the document (seeds/004_…), as the importer's tests load it
    sync_units_from_fixture()
    result = parse_plan_text(seed_text, directory=current_unit_directory())
    return import_plan(result=result, source_text=seed_text).plan


# ``plan``: the 兴平 plan imported once for the module (xingping_tracker.tests.sharing).
_module_plan, plan = module_fixtures(import_seed_plan, name="plan")


@pytest.mark.no_rows
def test_the_table_covers_the_33_main_indicators():
    assert sorted(EXPECTED) == list(range(12, 45))
    assert len(EXPECTED) == 33


def test_every_main_indicator_is_extracted_as_the_document_states_it(plan):
    found: dict[int, list[tuple[str, str, str, str, str, int]]] = {n: [] for n in range(12, 45)}
    targets = Target.objects.filter(task__plan=plan, task__number__range=(12, 44)).select_related("task")
    for t in targets.order_by("task__number", "position"):
        found[t.task.number].append(
            (t.indicator, format(t.value.normalize(), "f"), t.unit, t.direction, t.basis, t.year)
        )
    expected = {
        n: [(i, format(Decimal(v).normalize(), "f"), *rest) for i, v, *rest in rows] for n, rows in EXPECTED.items()
    }
    mismatched = {n: (found[n], expected[n]) for n in expected if found[n] != expected[n]}
    assert not mismatched, mismatched


def test_binding_ones_are_the_seven_and_their_specs_start_in_2020(plan):
    binding = Target.objects.filter(task__plan=plan, task__binding=True).select_related("task__plan")
    assert sorted({t.task.number for t in binding}) == [29, 30, 31, 32, 33, 34, 43]
    for t in binding:
        spec = target_spec(t)
        assert (spec.year, spec.baseline_year) == (2025, 2020)
