"""A report's role is its unit's effective role on the task (:mod:`tasks.effective`, lead wins).

``ProgressReport.role`` is stored for the readers that filter reports by it (the ledger's texts, the
indicators' series, the review queue's lead filter, the evaluation's words); the task states read
the effective role. So that the two never disagree, the stored role follows the effective role:
when the effective units of some tasks change (``tasks.signals.effective_units_changed``, sent by
the refresh of the effective-assignment table inside the transaction of the change), every report
on those tasks whose unit still has a role there takes that role, in every period (the task states
read earlier periods by today's roles too). A report whose unit no longer has any role on the task
keeps its role: it counts nowhere, and the report stays readable as it was written.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import OuterRef, Subquery

from progress.models import ProgressReport
from tasks.models import EffectiveAssignment

CHUNK_SIZE = 500  # tasks per read, reports per UPDATE (IN lists stay well under SQLite's limits)


def align_report_roles(
    task_ids: Iterable[int], *, report_model: Any = ProgressReport, cell_model: Any = EffectiveAssignment
) -> int:
    """Give every report on ``task_ids`` its unit's effective role where it differs; returns how
    many reports changed (one query per chunk of tasks, plus one UPDATE per role to write). The
    models may be a migration's historical ones (the data migration aligns every report once)."""
    ids = sorted({int(pk) for pk in task_ids})
    changed = 0
    for start in range(0, len(ids), CHUNK_SIZE):
        chunk = ids[start : start + CHUNK_SIZE]
        effective = cell_model.objects.filter(
            task_id=OuterRef("task_id"), department_id=OuterRef("department_id"), is_primary=True
        ).values("role")[:1]
        stale = (
            report_model.objects.filter(task_id__in=chunk)
            .annotate(effective_role=Subquery(effective))
            .exclude(effective_role=None)
            .order_by()
            .values_list("pk", "role", "effective_role")
        )
        by_role: dict[str, list[int]] = {}
        for pk, role, effective_role in stale:
            if role != effective_role:
                by_role.setdefault(effective_role, []).append(pk)
        for role, pks in by_role.items():
            for first in range(0, len(pks), CHUNK_SIZE):
                changed += report_model.objects.filter(pk__in=pks[first : first + CHUNK_SIZE]).update(role=role)
    return changed


def on_effective_units_changed(sender: object, *, task_ids: list[int], **kwargs: object) -> None:
    align_report_roles(task_ids)
