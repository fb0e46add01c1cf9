"""sync_units_from_fixture and the load_units command, on the real database (SQLite or PostgreSQL)."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from departments.directory import load_fixture
from departments.models import Department, DepartmentAlias, DepartmentGroup, DepartmentKind
from departments.services import SORT_ORDER_STEP, SyncReport, sync_units_from_fixture
from departments.tests.factories import DepartmentAliasFactory, DepartmentFactory
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode

pytestmark = pytest.mark.django_db


def write_fixture(path: Path, data: dict) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def small_fixture() -> dict:
    return {
        "units": [
            {"name": "市发改局", "kind": "city_department", "aliases": ["发改局"], "host": None},
            {"name": "市科技局", "kind": "city_department", "aliases": ["市发改局（科技局）"], "host": "市发改局"},
            {"name": "东城街道", "kind": "subdistrict", "aliases": [], "host": None},
            {"name": "桑镇", "kind": "town", "aliases": [], "host": None},
        ],
        "groups": [
            {
                "name": "各镇办",
                "kind": "fixed",
                "description": "全部镇街",
                "aliases": [],
                "members": ["东城街道", "桑镇"],
            },
        ],
    }


def test_first_sync_creates_everything_from_the_real_fixture() -> None:
    data = load_fixture()
    report = sync_units_from_fixture()

    assert report.units_created == len(data["units"]) == Department.objects.count()
    assert report.aliases_created == sum(len(u["aliases"]) for u in data["units"]) == DepartmentAlias.objects.count()
    assert report.groups_created == len(data["groups"]) == DepartmentGroup.objects.count()
    assert report.members_added == sum(len(g["members"]) for g in data["groups"])
    assert report.units_updated == report.aliases_updated == report.groups_updated == 0

    science = Department.objects.get(name="市科技局")
    assert science.host.name == "市发改局"
    assert science.aliases.filter(alias="市发改局（科技局）").exists()
    assert Department.objects.get(name="市供电公司").kind == DepartmentKind.STATE_ENTERPRISE
    assert set(DepartmentGroup.objects.get(name="各镇办").members.values_list("kind", flat=True)) == {
        "town",
        "subdistrict",
    }
    assert DepartmentGroup.objects.get(name="各镇办").members.count() == 13
    assert DepartmentGroup.objects.get(name="各金融机构").members.count() == 0
    ordered = list(Department.objects.values_list("name", flat=True))
    assert ordered == [u["name"] for u in data["units"]]
    assert Department.objects.get(name=data["units"][0]["name"]).sort_order == SORT_ORDER_STEP


def test_second_sync_changes_nothing() -> None:
    sync_units_from_fixture()
    history_rows = Department.history.count()

    report = sync_units_from_fixture()

    assert report == SyncReport()
    assert not report.changed
    assert Department.history.count() == history_rows  # no needless saves


def test_a_unit_missing_from_the_file_is_kept(tmp_path: Path) -> None:
    data = small_fixture()
    path = write_fixture(tmp_path / "units.json", data)
    sync_units_from_fixture(path=path)

    data["units"] = [u for u in data["units"] if u["name"] != "桑镇"]
    data["groups"][0]["members"] = ["东城街道"]
    report = sync_units_from_fixture(path=write_fixture(path, data))

    assert report == SyncReport()
    town = Department.objects.get(name="桑镇")
    assert town.is_active
    assert DepartmentGroup.objects.get(name="各镇办").members.filter(pk=town.pk).exists()


def test_changes_in_the_file_update_units_aliases_and_groups(tmp_path: Path) -> None:
    data = small_fixture()
    path = write_fixture(tmp_path / "units.json", data)
    sync_units_from_fixture(path=path)

    data["units"].insert(0, {"name": "市委办", "kind": "party_organ", "aliases": ["发改局"], "host": None})
    data["units"][1]["aliases"] = []  # the alias moves from 市发改局 to 市委办
    data["units"][3]["kind"] = "town"  # 东城街道, wrongly, to see the update
    data["groups"][0]["description"] = "全市所有镇和街道办事处"
    report = sync_units_from_fixture(path=write_fixture(path, data))

    assert report.units_created == 1
    # every listed unit moved down one place; 东城街道 also changed kind
    assert report.units_updated == 4
    assert report.aliases_updated == 1
    assert DepartmentAlias.objects.get(alias="发改局").department.name == "市委办"
    assert Department.objects.get(name="东城街道").kind == "town"
    assert report.groups_updated == 1
    assert Department.objects.get(name="市委办").sort_order == SORT_ORDER_STEP


def test_sync_does_not_touch_what_the_plan_office_decided(tmp_path: Path) -> None:
    successor = DepartmentFactory(name="市新发改局")
    old = DepartmentFactory(name="市发改局", is_active=False, successor=successor)
    extra_alias = DepartmentAliasFactory(department=old, alias="发改委")

    sync_units_from_fixture(path=write_fixture(tmp_path / "units.json", small_fixture()))

    old.refresh_from_db()
    assert old.is_active is False
    assert old.successor == successor
    assert DepartmentAlias.objects.get(pk=extra_alias.pk).department == old


def test_aliases_are_stored_normalised(tmp_path: Path) -> None:
    data = small_fixture()
    data["units"][1]["aliases"] = ["市发改局〈科技局〉 "]
    sync_units_from_fixture(path=write_fixture(tmp_path / "units.json", data))
    assert DepartmentAlias.objects.filter(alias="市发改局（科技局）", department__name="市科技局").exists()


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (lambda d: d["units"][0].update(kind="ministry"), "类别"),
        (lambda d: d["units"][1].update(host="市火星局"), "挂靠单位"),
        (lambda d: d["groups"][0]["members"].append("火星镇"), "成员“火星镇”"),
        (lambda d: d["units"].append(dict(d["units"][0])), "重复"),
        (lambda d: d["units"][2]["aliases"].append("发改局"), "同时指向"),
    ],
)
def test_an_invalid_file_is_refused_and_nothing_is_written(tmp_path: Path, mutate, fragment: str) -> None:
    data = small_fixture()
    mutate(data)
    with pytest.raises(ApplicationError) as caught:
        sync_units_from_fixture(path=write_fixture(tmp_path / "units.json", data))
    assert caught.value.code == ErrorCode.INVALID
    assert fragment in caught.value.message
    assert Department.objects.count() == 0


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ApplicationError) as caught:
        sync_units_from_fixture(path=tmp_path / "nope.json")
    assert caught.value.code == ErrorCode.NOT_FOUND


def test_a_broken_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "units.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ApplicationError) as caught:
        sync_units_from_fixture(path=path)
    assert caught.value.code == ErrorCode.INVALID


def test_load_units_command_prints_counts_in_chinese(tmp_path: Path) -> None:
    path = write_fixture(tmp_path / "units.json", small_fixture())
    out = StringIO()
    call_command("load_units", str(path), stdout=out)
    assert "单位：新增 4 个，更新 0 个" in out.getvalue()
    assert "新增成员 2 个" in out.getvalue()

    out = StringIO()
    call_command("load_units", str(path), stdout=out)
    assert "单位：新增 0 个" in out.getvalue()
    assert "已是最新" in out.getvalue()


def test_load_units_command_defaults_to_the_repository_fixture() -> None:
    out = StringIO()
    call_command("load_units", stdout=out)
    assert Department.objects.filter(name="市委文明办").exists()
    assert f"单位：新增 {Department.objects.count()} 个" in out.getvalue()


def test_load_units_command_reports_errors_in_chinese(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="找不到单位名录文件"):
        call_command("load_units", str(tmp_path / "nope.json"))
