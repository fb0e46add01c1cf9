"""Writes to units, their aliases and placeholder groups."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from departments.directory import DEFAULT_FIXTURE_PATH, UnitDirectory, load_fixture, normalise_name
from departments.extensions import announce_group_units_changed
from departments.models import (
    Department,
    DepartmentAlias,
    DepartmentGroup,
    DepartmentGroupAlias,
    DepartmentKind,
    GroupKind,
)
from xingping_tracker.core.changes import UNITS, announce
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode

# sort_order = (position in the file + 1) × step: room to insert a unit by hand between two others.
SORT_ORDER_STEP = 10


@dataclass(slots=True)
class SyncReport:
    """What ``sync_units_from_fixture`` changed. All zero when the database already matched the file."""

    units_created: int = 0
    units_updated: int = 0
    aliases_created: int = 0
    aliases_updated: int = 0
    groups_created: int = 0
    groups_updated: int = 0
    members_added: int = 0
    group_aliases_created: int = 0

    @property
    def changed(self) -> bool:
        return any(
            (
                self.units_created,
                self.units_updated,
                self.aliases_created,
                self.aliases_updated,
                self.groups_created,
                self.groups_updated,
                self.members_added,
                self.group_aliases_created,
            )
        )


def sync_units_from_fixture(*, path: Path | None = None) -> SyncReport:
    """Bring units, aliases, hosts, groups and group members in line with the unit fixture.

    Idempotent and additive, in one transaction: creates what is missing and updates kind, host and
    sort order of listed units, kind and description of listed groups, and moves an alias the file
    gives to another unit. It never deletes: a unit, alias or group member absent from the file stays
    as it is, and ``is_active`` / ``successor`` (the plan office's decisions) are not touched.
    Raises ApplicationError (INVALID / NOT_FOUND) with a Chinese message when the file is unusable.
    """
    data = _read_fixture(path)
    _validate(data)
    counts = SyncReport()
    with transaction.atomic():
        announce(UNITS)
        departments, created = _sync_units(data["units"], counts)
        _sync_hosts(data["units"], departments, created, counts)
        _sync_aliases(data["units"], departments, counts)
        _sync_groups(data["groups"], departments, counts)
    return counts


def _read_fixture(path: Path | None) -> dict[str, Any]:
    target = Path(path or DEFAULT_FIXTURE_PATH)
    try:
        return load_fixture(target)
    except FileNotFoundError as exc:
        raise ApplicationError(ErrorCode.NOT_FOUND, f"找不到单位名录文件“{target.name}”，请检查路径。") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ApplicationError(ErrorCode.INVALID, f"单位名录文件“{target.name}”不是有效的 UTF-8 JSON：{exc}") from exc
    except ValueError as exc:
        raise ApplicationError(ErrorCode.INVALID, str(exc)) from exc


def _validate(data: dict[str, Any]) -> None:
    problems: list[str] = []
    names: set[str] = set()
    for position, unit in enumerate(data["units"], start=1):
        name = unit.get("name") if isinstance(unit, dict) else None
        if not isinstance(name, str) or not name.strip():
            problems.append(f"第{position}个单位缺少名称。")
            continue
        if name in names:
            problems.append(f"单位“{name}”重复出现。")
        names.add(name)
        if unit.get("kind") not in DepartmentKind.values:
            problems.append(f"单位“{name}”的类别“{unit.get('kind')}”无效。")
        if not isinstance(unit.get("aliases", []), list):
            problems.append(f"单位“{name}”的别名应为列表。")
    for unit in data["units"]:
        host = unit.get("host") if isinstance(unit, dict) else None
        if host is not None and (host not in names or host == unit.get("name")):
            problems.append(f"单位“{unit.get('name')}”的挂靠单位“{host}”不在名录中。")
    group_names: set[str] = set()
    for position, group in enumerate(data["groups"], start=1):
        name = group.get("name") if isinstance(group, dict) else None
        if not isinstance(name, str) or not name.strip():
            problems.append(f"第{position}个单位组缺少名称。")
            continue
        if name in group_names or name in names:
            problems.append(f"单位组“{name}”重复出现或与单位同名。")
        group_names.add(name)
        if group.get("kind", GroupKind.SELECTED) not in GroupKind.values:
            problems.append(f"单位组“{name}”的类型“{group.get('kind')}”无效。")
        for member in group.get("members", []):
            if member not in names:
                problems.append(f"单位组“{name}”的成员“{member}”不在单位名录中。")
    if not problems:
        try:
            UnitDirectory(
                units=[(u["name"], u.get("aliases", [])) for u in data["units"]],
                groups=[(g["name"], g.get("aliases", [])) for g in data["groups"]],
            )
        except ValueError as exc:
            problems.append(str(exc))
    if problems:
        raise ApplicationError(
            ErrorCode.INVALID, "单位名录文件有误，未作任何修改：" + "；".join(problems), extra={"problems": problems}
        )


def _sync_units(units: list[dict[str, Any]], counts: SyncReport) -> tuple[dict[str, Department], set[str]]:
    """Create or update the listed units (without hosts); return all units by name and the names created."""
    departments = {d.name: d for d in Department.objects.all()}
    created: set[str] = set()
    for position, unit in enumerate(units, start=1):
        wanted = {"kind": unit["kind"], "sort_order": position * SORT_ORDER_STEP}
        department = departments.get(unit["name"])
        if department is None:
            department = Department(name=unit["name"], **wanted)
            department.full_clean()
            department.save()
            departments[department.name] = department
            created.add(department.name)
            counts.units_created += 1
        elif _apply(department, wanted):
            department.full_clean()
            department.save()
            counts.units_updated += 1
    return departments, created


def _sync_hosts(
    units: list[dict[str, Any]], departments: dict[str, Department], created: set[str], counts: SyncReport
) -> None:
    for unit in units:
        host = unit.get("host")
        if host is None:
            continue  # a host set by hand stays: the file only adds
        department = departments[unit["name"]]
        if department.host_id != departments[host].pk:
            department.host = departments[host]
            department.full_clean()
            department.save(update_fields=["host", "updated_at"])
            if department.name not in created:
                counts.units_updated += 1


def _sync_aliases(units: list[dict[str, Any]], departments: dict[str, Department], counts: SyncReport) -> None:
    existing = {a.alias: a for a in DepartmentAlias.objects.all()}
    for unit in units:
        department = departments[unit["name"]]
        for written in unit.get("aliases", []):
            alias_text = normalise_name(written)
            if alias_text == department.name:
                continue
            alias = existing.get(alias_text)
            if alias is None:
                alias = DepartmentAlias(department=department, alias=alias_text)
                alias.full_clean()
                alias.save()
                existing[alias_text] = alias
                counts.aliases_created += 1
            elif alias.department_id != department.pk:
                alias.department = department
                alias.full_clean()
                alias.save()
                counts.aliases_updated += 1


def _sync_groups(groups: list[dict[str, Any]], departments: dict[str, Department], counts: SyncReport) -> None:
    """Groups, their kind and members; the tasks naming a changed group get their effective units refreshed."""
    existing = {g.name: g for g in DepartmentGroup.objects.prefetch_related("members")}
    changed: list[int] = []
    for entry in groups:
        wanted = {"kind": entry.get("kind", GroupKind.SELECTED), "description": entry.get("description", "")}
        group = existing.get(entry["name"])
        if group is None:
            group = DepartmentGroup(name=entry["name"], **wanted)
            group.full_clean()
            group.save()
            counts.groups_created += 1
            current: set[int] = set()
        else:
            if _apply(group, wanted):
                group.full_clean()
                group.save()
                counts.groups_updated += 1
                changed.append(group.pk)
            current = {m.pk for m in group.members.all()}
        missing = [departments[name] for name in entry.get("members", []) if departments[name].pk not in current]
        if missing:
            group.members.add(*missing)
            counts.members_added += len(missing)
            changed.append(group.pk)
        _sync_group_aliases(group, entry.get("aliases", []), counts)
    if changed:
        announce_group_units_changed(group_ids=changed)


def _sync_group_aliases(group: DepartmentGroup, aliases: list[str], counts: SyncReport) -> None:
    """Add the fixture's aliases of a group; an alias the plan office moved elsewhere is left where it is."""
    taken = set(DepartmentGroupAlias.objects.filter(alias__in=aliases).values_list("alias", flat=True))
    for alias in aliases:
        if alias not in taken:
            DepartmentGroupAlias.objects.create(group=group, alias=alias)
            counts.group_aliases_created += 1


def _apply(instance: Any, values: dict[str, Any]) -> bool:
    """Set ``values`` on ``instance``; True when anything changed."""
    changed = False
    for field, value in values.items():
        if getattr(instance, field) != value:
            setattr(instance, field, value)
            changed = True
    return changed
