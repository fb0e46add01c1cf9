"""departments.selectors.unit_directory: the name directory built from the database."""

from __future__ import annotations

import pytest

from departments.models import DepartmentGroupAlias
from departments.selectors import unit_directory
from departments.tests.factories import DepartmentAliasFactory, DepartmentFactory, DepartmentGroupFactory

pytestmark = pytest.mark.django_db


def test_names_aliases_and_groups_from_the_database(django_assert_num_queries) -> None:
    unit = DepartmentFactory(name="市工信局")
    DepartmentAliasFactory(department=unit, alias="市工业和信息化局")
    DepartmentFactory(name="市委文明办")
    DepartmentAliasFactory(department=DepartmentFactory(name="市发改局"), alias="发改局")
    towns = DepartmentGroupFactory(name="各镇办")
    DepartmentGroupAlias.objects.create(group=towns, alias="各镇（街道）")
    DepartmentGroupFactory(name="自定义占位")

    with django_assert_num_queries(4):
        directory = unit_directory()

    assert directory.unit_names == {"市工信局", "市委文明办", "市发改局"}
    assert directory.group_names == {"各镇办", "自定义占位"}
    assert directory.resolve("工信局").name == "市工信局"
    assert directory.resolve("市工业和信息化局").name == "市工信局"
    assert directory.resolve("文明办").name == "市委文明办"
    assert directory.resolve("各镇（街道）").is_group  # group alias stored in the database
    assert directory.resolve("自定义占位").is_group
    units, _ = directory.split_and_resolve("市委党校、文明办,发改局等")
    assert [u.name for u in units] == [None, "市委文明办", "市发改局"]


def test_query_count_does_not_grow_with_units(django_assert_max_num_queries) -> None:
    for n in range(30):
        DepartmentAliasFactory(department=DepartmentFactory(name=f"市第{n}局"), alias=f"第{n}局别名")
    with django_assert_max_num_queries(4):
        directory = unit_directory()
    assert len(directory.unit_names) == 30


def test_a_renamed_unit_resolves_to_its_successor() -> None:
    current = DepartmentFactory(name="市乡村振兴局")
    middle = DepartmentFactory(name="市扶贫开发局", is_active=False, successor=current)
    oldest = DepartmentFactory(name="市扶贫办", is_active=False, successor=middle)
    DepartmentAliasFactory(department=oldest, alias="扶贫办公室")

    directory = unit_directory()

    assert directory.resolve("市扶贫办").name == "市乡村振兴局"
    assert directory.resolve("扶贫办").name == "市乡村振兴局"
    assert directory.resolve("扶贫办公室").name == "市乡村振兴局"
    assert directory.resolve("扶贫开发局").name == "市乡村振兴局"
    assert directory.unit_names == {"市乡村振兴局"}


def test_an_inactive_unit_without_successor_keeps_its_name() -> None:
    DepartmentFactory(name="市旧局", is_active=False)
    assert unit_directory().resolve("旧局").name == "市旧局"


def test_a_successor_cycle_does_not_hang() -> None:
    first = DepartmentFactory(name="市甲局", is_active=False)
    second = DepartmentFactory(name="市乙局", is_active=False, successor=first)
    first.successor = second
    first.save()
    directory = unit_directory()
    assert directory.resolve("甲局").name in {"市甲局", "市乙局"}


def test_an_alias_equal_to_another_units_name_does_not_break_the_directory() -> None:
    DepartmentFactory(name="市电力局")
    DepartmentAliasFactory(department=DepartmentFactory(name="市供电公司"), alias="市电力局")
    directory = unit_directory()
    assert directory.resolve("市电力局").name == "市电力局"
    assert directory.conflicts


def test_a_group_alias_added_by_the_plan_office_resolves(db):
    from departments.models import DepartmentGroup, DepartmentGroupAlias
    from departments.selectors import unit_directory
    from departments.services import sync_units_from_fixture

    sync_units_from_fixture()
    assert unit_directory().resolve("全市各镇街道办").name is None
    DepartmentGroupAlias.objects.create(group=DepartmentGroup.objects.get(name="各镇办"), alias="全市各镇街道办")
    unit = unit_directory().resolve("全市各镇街道办")
    assert (unit.name, unit.is_group) == ("各镇办", True)
