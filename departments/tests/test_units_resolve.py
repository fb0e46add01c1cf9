"""normalise_name, UnitDirectory.resolve and split_and_resolve on the real unit fixture."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from departments.directory import UnitDirectory, normalise_name, split_items


@pytest.fixture(scope="module")
def directory() -> UnitDirectory:
    return UnitDirectory.from_fixture()


# --- normalise_name -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("市发改局〈科技局〉", "市发改局（科技局）"),
        ("发改局<科技局>", "发改局（科技局）"),
        ("市发改局(粮食局)", "市发改局（粮食局）"),
        ("市发改局《科技局》", "市发改局（科技局）"),
        ("市发改局【科技局】", "市发改局（科技局）"),
        ("市发改局〔科技局〕", "市发改局（科技局）"),
        ("市发改局[科技局]", "市发改局（科技局）"),
        (" 市 工信局 ", "市工信局"),
        ("市\u3000工信局\n", "市工信局"),
        ("工业园区等", "工业园区"),
        ("工业园区等等", "工业园区"),
        ("工业园区等。", "工业园区"),
        ("市商务局、", "市商务局"),
        ("市商务局；", "市商务局"),
        ("市商务局:", "市商务局"),
        ("市财政局等部门", "市财政局"),
        ("ＡＢＣ局", "ABC局"),  # full-width letters (NFKC)
    ],
)
def test_normalise_name(text: str, expected: str) -> None:
    assert normalise_name(text) == expected


@given(st.text(alphabet="市委发改局工信〈〉<>()（）《》〔〕[]【】等、,，;；.。:： \t\u3000", max_size=30))
def test_normalise_name_is_idempotent_and_has_no_space_or_half_width_bracket(text: str) -> None:
    key = normalise_name(text)
    assert normalise_name(key) == key
    assert not any(ch.isspace() for ch in key)
    assert not set(key) & set("〈〉<>()《》〔〕[]【】")
    assert not key.endswith(("等", "、", ",", "，", ";", "；", ".", "。", ":", "："))


# --- resolve --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "name"),
    [
        ("市发改局〈科技局〉", "市科技局"),
        ("发改局<科技局>", "市科技局"),
        ("市发改局〈粮食局〉", "市粮食局"),
        ("科技局", "市科技局"),
        ("工信局", "市工信局"),
        ("市工信局", "市工信局"),
        ("市工业和信息化局", "市工信局"),
        ("市场监管局", "市市场监管局"),
        ("市市场监管局", "市市场监管局"),
        ("文明办", "市委文明办"),
        ("市文明办", "市委文明办"),
        ("政法委", "市委政法委"),
        ("电力局", "市供电公司"),
        ("市电力局", "市供电公司"),
        ("供电公司", "市供电公司"),
        ("城投公司", "市城投公司"),
        ("水务集团", "市水务集团"),
        ("人行", "人民银行兴平市支行"),
        ("法院", "市人民法院"),
        ("检察院", "市人民检察院"),
        ("咸阳市生态环境局兴平分局", "咸阳市生态环境局兴平分局"),
        ("咸阳市公安局秦岭分局", "咸阳市公安局秦岭分局"),
        ("兴平市教育局", "市教育局"),
        ("马嵬镇", "马嵬街道"),
        ("东城街道", "东城街道"),
        ("南市镇", "南市镇"),
        ("妇联等", "市妇联"),
    ],
)
def test_resolve_known_names(directory: UnitDirectory, written: str, name: str) -> None:
    unit = directory.resolve(written)
    assert unit.name == name
    assert unit.is_group is False


def test_resolve_keeps_the_text_as_written_without_etc(directory: UnitDirectory) -> None:
    unit = directory.resolve(" 发改局〈科技局〉等 ")
    assert unit.written == "发改局〈科技局〉"
    assert unit.name == "市科技局"


@pytest.mark.parametrize(
    "written", ["各镇办", "各镇（街道）", "各镇(街道)", "相关镇办", "市级相关部门", "相关部门", "各金融机构"]
)
def test_placeholders_resolve_to_groups(directory: UnitDirectory, written: str) -> None:
    unit = directory.resolve(written)
    assert unit.is_group is True
    assert unit.name in directory.group_names


def test_unknown_name_resolves_to_none(directory: UnitDirectory) -> None:
    unit = directory.resolve("市火星开发局")
    assert unit.name is None
    assert unit.written == "市火星开发局"
    assert unit.display == "市火星开发局"
    assert directory.is_known("市火星开发局") is False
    assert directory.is_known("工信局") is True


def test_a_name_of_another_city_gets_no_prefix(directory: UnitDirectory) -> None:
    # "咸阳市发改局" is not 兴平's 市发改局.
    assert directory.resolve("咸阳市发改局").name is None


def test_the_carried_prefix_is_tried_before_the_plain_city_prefix() -> None:
    directory = UnitDirectory(units=[("市督查室", []), ("市委督查室", [])], groups=[])
    assert directory.resolve("督查室").name == "市督查室"
    assert directory.resolve("督查室", prefix="市委").name == "市委督查室"


def test_empty_text_resolves_to_none(directory: UnitDirectory) -> None:
    assert directory.resolve("  等 ").name is None


# --- split_and_resolve ----------------------------------------------------------------------------


def names(units) -> list[str | None]:
    return [u.name for u in units]


def test_prefix_shi_carries_to_every_item(directory: UnitDirectory) -> None:
    units, open_ended = directory.split_and_resolve("市发改局、工信局、农业农村局、商务局、工业园区等,各镇办")
    assert names(units) == ["市发改局", "市工信局", "市农业农村局", "市商务局", "市工业园区", "各镇办"]
    assert [u.is_group for u in units] == [False] * 5 + [True]
    assert [u.written for u in units][:2] == ["市发改局", "工信局"]
    assert open_ended is True


def test_prefix_shiwei_carries_then_falls_back_to_shi(directory: UnitDirectory) -> None:
    units, open_ended = directory.split_and_resolve("市委党校、文明办,市教育局、公安局、政务信息中心等")
    assert names(units) == ["市委党校", "市委文明办", "市教育局", "市公安局", "市政务信息中心"]
    assert open_ended is True
    units, _ = directory.split_and_resolve("市委宣传部、公安局、司法局、咸阳市公安局秦岭分局、民宗局等")
    assert names(units) == ["市委宣传部", "市公安局", "市司法局", "咸阳市公安局秦岭分局", "市民宗局"]


def test_list_without_etc_is_closed(directory: UnitDirectory) -> None:
    units, open_ended = directory.split_and_resolve("市政务信息中心、各大电信运营商,各镇办")
    assert names(units) == ["市政务信息中心", "各大电信运营商", "各镇办"]
    assert open_ended is False


def test_hosted_units_in_a_list(directory: UnitDirectory) -> None:
    units, open_ended = directory.split_and_resolve("市工信局、发改局〈科技局〉等")
    assert names(units) == ["市工信局", "市科技局"]
    assert units[1].written == "发改局〈科技局〉"
    assert open_ended is True


def test_brackets_are_not_split() -> None:
    assert split_items("县域创新示范县(市)、市发改局〈科技局〉 工信局") == [
        "县域创新示范县(市)",
        "市发改局〈科技局〉",
        "工信局",
    ]
    assert split_items("市发改局（科技局、粮食局）") == ["市发改局（科技局、粮食局）"]


def test_unbalanced_brackets_split_everywhere() -> None:
    assert split_items("市发改局〈科技局、工信局") == ["市发改局〈科技局", "工信局"]


def test_whitespace_and_semicolons_split(directory: UnitDirectory) -> None:
    units, _ = directory.split_and_resolve("市财政局 税务局；人行")
    assert names(units) == ["市财政局", "市税务局", "人民银行兴平市支行"]


def test_duplicates_are_kept_once(directory: UnitDirectory) -> None:
    units, _ = directory.split_and_resolve("市发改局、发改局、市发展和改革局、市火星局、火星局")
    assert names(units) == ["市发改局", None, None]
    assert [u.written for u in units] == ["市发改局", "市火星局", "火星局"]


def test_unknown_items_are_kept_in_order(directory: UnitDirectory) -> None:
    units, open_ended = directory.split_and_resolve("市工信局、火星局等")
    assert names(units) == ["市工信局", None]
    assert units[1].written == "火星局"
    assert open_ended is True


def test_empty_value(directory: UnitDirectory) -> None:
    assert directory.split_and_resolve("") == ([], False)
    assert directory.split_and_resolve(" 、 ") == ([], False)


@given(st.lists(st.sampled_from(["市发改局", "工信局", "文明办", "各镇办", "人行", "火星局", "法院"]), max_size=8))
def test_split_and_resolve_never_returns_a_canonical_name_twice(items: list[str]) -> None:
    directory = UnitDirectory.from_fixture()
    units, _ = directory.split_and_resolve("、".join(items))
    resolved = [u.name for u in units if u.name is not None]
    assert len(resolved) == len(set(resolved))
    assert all(u.name in directory.unit_names | directory.group_names for u in units if u.name)


# --- construction ---------------------------------------------------------------------------------


def test_an_alias_naming_two_units_is_refused() -> None:
    with pytest.raises(ValueError, match="同时指向"):
        UnitDirectory(units=[("市甲局", ["甲局"]), ("市乙局", ["甲局"])], groups=[])


def test_lenient_directory_prefers_canonical_names_and_reports_conflicts() -> None:
    directory = UnitDirectory(units=[("市电力局", []), ("市供电公司", ["市电力局"])], groups=[], strict=False)
    assert directory.resolve("市电力局").name == "市电力局"
    assert len(directory.conflicts) == 1


def test_aliases_are_matched_whatever_their_brackets() -> None:
    directory = UnitDirectory(units=[("市科技局", ["市发改局(科技局)"])], groups=[])
    assert directory.resolve("市发改局〈科技局〉").name == "市科技局"


def test_from_fixture_is_cached() -> None:
    assert UnitDirectory.from_fixture() is UnitDirectory.from_fixture()
