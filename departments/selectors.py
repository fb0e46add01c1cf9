"""Reads of units and placeholder groups."""

from __future__ import annotations

from departments.directory import UnitDirectory
from departments.models import Department, DepartmentGroup


def unit_directory() -> UnitDirectory:
    """The name directory of the units and groups in the database (four queries).

    Every unit keeps its name and aliases. A unit no longer in use that points to a successor (renamed
    or merged) resolves to its last successor, so a document naming the old unit lands on the unit
    that carries its duties today. Groups come with their aliases (DepartmentGroupAlias). The directory is lenient: a unit's own name wins over another unit's alias, and
    ``directory.conflicts`` lists the aliases that were dropped for that reason.
    """
    departments = {d.pk: d for d in Department.objects.prefetch_related("aliases")}
    written_forms: dict[str, list[str]] = {}
    for department in departments.values():
        target = _current_unit(department, departments)
        forms = written_forms.setdefault(target.name, [])
        if target is not department:
            forms.append(department.name)
        forms.extend(alias.alias for alias in department.aliases.all())
    groups = [(g.name, [a.alias for a in g.aliases.all()]) for g in DepartmentGroup.objects.prefetch_related("aliases")]
    return UnitDirectory(units=written_forms.items(), groups=groups, strict=False)


def _current_unit(department: Department, by_pk: dict[int, Department]) -> Department:
    """Follow ``successor`` from an inactive unit to the unit in use (stops on a cycle)."""
    seen = {department.pk}
    current = department
    while not current.is_active and current.successor_id is not None and current.successor_id not in seen:
        seen.add(current.successor_id)
        current = by_pk[current.successor_id]
    return current
