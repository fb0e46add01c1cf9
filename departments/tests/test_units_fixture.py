"""The shape and consistency of fixtures/units.json."""

from __future__ import annotations

import pytest

from departments.directory import UnitDirectory, load_fixture, normalise_name
from departments.models import DepartmentKind, GroupKind


@pytest.fixture(scope="module")
def data() -> dict:
    return load_fixture()


def test_every_unit_has_a_valid_kind_and_unique_name(data: dict) -> None:
    names = [u["name"] for u in data["units"]]
    assert len(names) == len(set(names))
    assert {u["kind"] for u in data["units"]} <= set(DepartmentKind.values)
    assert all(set(u) == {"name", "kind", "aliases", "host"} for u in data["units"])


def test_aliases_are_stored_normalised(data: dict) -> None:
    for entry in (*data["units"], *data["groups"]):
        for alias in entry["aliases"]:
            assert alias == normalise_name(alias), (entry["name"], alias)


def test_hosted_units(data: dict) -> None:
    by_name = {u["name"]: u for u in data["units"]}
    assert by_name["市科技局"]["host"] == "市发改局"
    assert by_name["市粮食局"]["host"] == "市发改局"
    assert "市发改局（科技局）" in by_name["市科技局"]["aliases"]
    assert "发改局（科技局）" in by_name["市科技局"]["aliases"]
    for unit in data["units"]:
        assert unit["host"] is None or unit["host"] in by_name


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("市委文明办", "party_organ"),
        ("市发改局", "city_department"),
        ("咸阳市生态环境局兴平分局", "upper_branch"),
        ("咸阳市公安局秦岭分局", "upper_branch"),
        ("市税务局", "upper_branch"),
        ("市城投公司", "state_enterprise"),
        ("市水务集团", "state_enterprise"),
        ("市供电公司", "state_enterprise"),
        ("人民银行兴平市支行", "outside_body"),
        ("市人民法院", "outside_body"),
        ("市人民检察院", "outside_body"),
        ("市妇联", "peoples_organisation"),
        ("市委党校", "institution"),
        ("马嵬街道", "subdistrict"),
        ("桑镇", "town"),
    ],
)
def test_kinds_of_notable_units(data: dict, name: str, kind: str) -> None:
    assert {u["name"]: u["kind"] for u in data["units"]}[name] == kind


def test_thirteen_towns_and_subdistricts(data: dict) -> None:
    towns = {u["name"] for u in data["units"] if u["kind"] == DepartmentKind.TOWN}
    subdistricts = {u["name"] for u in data["units"] if u["kind"] == DepartmentKind.SUBDISTRICT}
    assert subdistricts == {"东城街道", "西城街道", "店张街道", "马嵬街道", "西吴街道"}
    assert towns == {"赵村镇", "桑镇", "南市镇", "庄头镇", "南位镇", "阜寨镇", "丰仪镇", "汤坊镇"}


def test_units_are_ordered_by_kind_blocks(data: dict) -> None:
    order = [
        "party_organ",
        "city_department",
        "institution",
        "peoples_organisation",
        "state_enterprise",
        "upper_branch",
        "outside_body",
        "town",
        "subdistrict",
    ]
    ranks = [order.index(u["kind"]) for u in data["units"]]
    assert ranks == sorted(ranks)


def test_groups(data: dict) -> None:
    groups = {g["name"]: g for g in data["groups"]}
    assert set(groups) == {"各镇办", "相关镇办", "市级相关部门", "各金融机构", "各大电信运营商"}
    assert {g["kind"] for g in groups.values()} <= set(GroupKind.values)
    assert groups["各镇办"]["kind"] == "fixed"
    kinds = {u["name"]: u["kind"] for u in data["units"]}
    towns = {n for n, k in kinds.items() if k in ("town", "subdistrict")}
    assert set(groups["各镇办"]["members"]) == towns
    assert set(groups["相关镇办"]["members"]) == towns
    departments = {n for n, k in kinds.items() if k in ("city_department", "party_organ", "institution")}
    assert set(groups["市级相关部门"]["members"]) == departments
    assert set(groups["各大电信运营商"]["members"]) == {
        "中国电信兴平分公司",
        "中国移动兴平分公司",
        "中国联通兴平分公司",
    }
    for group in groups.values():
        assert set(group["members"]) <= set(kinds)



def test_no_written_form_names_two_units(data: dict) -> None:
    UnitDirectory(
        units=[(u["name"], u["aliases"]) for u in data["units"]],
        groups=[(g["name"], g["aliases"]) for g in data["groups"]],
        strict=True,
    )
