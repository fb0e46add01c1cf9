"""The plan office's decisions in the import preview, applied to a parse result. Pure: no database.

The parser marks what it could not decide on a task (``ParsedTask.undecided``: "lead" — no lead unit, or
several listed without saying who leads, or units cut from glued table cells; "deadline" — a deadline it
could not turn into a date). The preview asks for those; the confirmation parses the text again and applies
the answers here, so the decisions are the only thing taken from the browser.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from departments.directory import UnitDirectory, split_items

from .types import ParseResult


@dataclass(frozen=True, slots=True)
class TaskDecision:
    number: int
    lead: str  # names as typed, separated by 、
    supporting: str = ""
    deadline: dt.date | None = None


def apply_decisions(result: ParseResult, decisions: Iterable[TaskDecision], directory: UnitDirectory) -> ParseResult:
    """Set the decided units and deadlines, and drop the warnings they answer."""
    by_number = {t.number: t for t in result.tasks}
    settled: dict[int, set[str]] = {}
    for decision in decisions:
        task = by_number.get(decision.number)
        if task is None:
            continue
        lead = [directory.resolve(name) for name in split_items(decision.lead)]
        if lead:
            task.lead = lead
            task.supporting = [
                unit
                for unit in (directory.resolve(name) for name in split_items(decision.supporting))
                if unit.display not in {u.display for u in lead}
            ]
            settled.setdefault(task.number, set()).add("lead")
        if decision.deadline is not None:
            task.deadline = decision.deadline
            settled.setdefault(task.number, set()).add("deadline")
        task.undecided = [what for what in task.undecided if what not in settled.get(task.number, set())]
    words = {"lead": ("牵头", "表格各栏"), "deadline": ("完成时限",)}
    result.warnings = [
        warning
        for warning in result.warnings
        if not any(
            warning.startswith(f"任务{number}：") and any(word in warning for what in whats for word in words[what])
            for number, whats in settled.items()
        )
    ]
    return result
