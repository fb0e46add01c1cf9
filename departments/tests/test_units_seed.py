"""Every unit named in the 兴平 plan's annotations resolves: the check that the unit fixture is complete."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from departments.directory import UnitDirectory
from departments.selectors import unit_directory
from departments.services import sync_units_from_fixture

SEED = Path(__file__).resolve().parents[2] / "fixtures" / "plans" / "xingping-14th-five-year-plan.txt"
ANNOTATION = re.compile(r"[（(]((?:牵头|责任)(?:部门|单位)[:：][^)）]*)[)）]")
LABEL = re.compile(r"[,，]?\s*(?:牵头|责任|配合)(?:部门|单位)[:：]")


def annotation_lists() -> list[tuple[str, str]]:
    """(annotation, one label's list) for every annotation of the seed."""
    lists = []
    for annotation in ANNOTATION.findall(SEED.read_text(encoding="utf-8")):
        lists.extend((annotation, value) for value in LABEL.split(annotation) if value.strip())
    return lists


def test_the_seed_has_an_annotation_per_task() -> None:
    assert len(ANNOTATION.findall(SEED.read_text(encoding="utf-8"))) == 210
    # 210 lead lists; supporting lists everywhere but the 33 single-owner indicators (12–44)
    assert len(annotation_lists()) == 210 + 210 - 33


def unresolved(directory: UnitDirectory) -> list[tuple[str, str]]:
    missing = []
    for annotation, value in annotation_lists():
        units, _ = directory.split_and_resolve(value)
        missing.extend((unit.written, annotation) for unit in units if unit.name is None)
        assert units, annotation
    return missing


def test_every_unit_in_the_seed_resolves_with_the_fixture() -> None:
    assert unresolved(UnitDirectory.from_fixture()) == []


@pytest.mark.django_db
def test_every_unit_in_the_seed_resolves_with_the_database_directory() -> None:
    sync_units_from_fixture()
    assert unresolved(unit_directory()) == []


def test_seed_spot_checks() -> None:
    directory = UnitDirectory.from_fixture()
    by_list = {value: directory.split_and_resolve(value) for _, value in annotation_lists()}
    units, open_ended = by_list["市委党校、文明办,市教育局、公安局、政务信息中心等"]
    assert [u.name for u in units] == ["市委党校", "市委文明办", "市教育局", "市公安局", "市政务信息中心"]
    assert open_ended
    units, open_ended = by_list["市金融办"]
    assert [u.name for u in units] == ["市金融办"] and not open_ended
    units, _ = by_list["市政务信息中心、各大电信运营商,各镇办"]
    assert [u.is_group for u in units] == [False, True, True]
