"""Value types produced by the pure parser. ``ParseResult.as_json()`` is the public JSON contract."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from departments.directory import ParsedUnit  # a unit as the parser resolved it (defined with the directory)
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode


class PlanParseError(ApplicationError):
    """The document cannot be imported; ``message`` says why, in Chinese."""

    def __init__(self, code: ErrorCode, message: str):
        super().__init__(code, message)


@dataclass(frozen=True, slots=True)
class ParsedPlan:
    title: str = ""
    issuer: str = ""
    document_number: str = ""
    issued_on: dt.date | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    vision_year: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "issuer": self.issuer,
            "document_number": self.document_number,
            "issued_on": _iso(self.issued_on),
            "period_start": _iso(self.period_start),
            "period_end": _iso(self.period_end),
            "vision_year": self.vision_year,
        }


@dataclass(frozen=True, slots=True, eq=False)
class ParsedSection:
    """A heading: a chapter (``level`` 1, label 一) or a section (``level`` 2, label （一）).

    Compared by identity: two headings with the same words in different chapters are different sections."""

    label: str
    title: str
    level: int

    @property
    def heading(self) -> str:
        return f"{self.label}、{self.title}" if self.level == 1 else f"{self.label}{self.title}"


@dataclass(frozen=True, slots=True)
class ParsedMilestone:
    date: dt.date
    text: str

    def as_json(self) -> dict[str, Any]:
        return {"date": self.date.isoformat(), "text": self.text}


@dataclass(frozen=True, slots=True)
class ParsedTarget:
    indicator: str
    value: Decimal
    unit: str
    direction: str  # at_least | at_most | reduce_by
    basis: str = "level"  # level | annual_growth | cumulative | multiple
    value_max: Decimal | None = None
    year: int | None = None
    baseline_year: int | None = None
    text: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator,
            "value": _num(self.value),
            "value_max": _num(self.value_max) if self.value_max is not None else None,
            "unit": self.unit,
            "direction": self.direction,
            "basis": self.basis,
            "year": self.year,
            "baseline_year": self.baseline_year,
            "text": self.text,
        }


KIND_LABELS = {"positioning": "目标定位", "indicator": "主要指标", "vision": "远景目标", "measure": "重要举措"}


@dataclass(slots=True)
class ParsedTask:
    number: int
    text: str
    section: tuple[ParsedSection, ...] = ()
    kind: str = "measure"
    binding: bool = False
    incentive: bool = False
    lead: list[ParsedUnit] = field(default_factory=list)
    supporting: list[ParsedUnit] = field(default_factory=list)
    supporting_open_ended: bool = False
    annotation: str = ""
    deadline: dt.date | None = None
    deadline_text: str = ""
    milestones: list[ParsedMilestone] = field(default_factory=list)
    targets: list[ParsedTarget] = field(default_factory=list)
    line_number: int = 0
    label: str = ""  # the number as written: "12.", "（一）", "1.（2）"
    responsible_leaders: list[str] = field(default_factory=list)  # people (责任领导), never units
    deadline_continuous: bool = False  # "持续推进": no date by design
    undecided: list[str] = field(default_factory=list)  # "lead" / "deadline": for the plan office to decide

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    def as_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "label": self.label,
            "text": self.text,
            "section": [s.heading for s in self.section],
            "kind": self.kind,
            "binding": self.binding,
            "incentive": self.incentive,
            "lead": [u.display for u in self.lead],
            "supporting": [u.display for u in self.supporting],
            "supporting_open_ended": self.supporting_open_ended,
            "deadline": _iso(self.deadline),
            "deadline_text": self.deadline_text,
            "deadline_continuous": self.deadline_continuous,
            "responsible_leaders": list(self.responsible_leaders),
            "undecided": list(self.undecided),
            "milestones": [m.as_json() for m in self.milestones],
            "targets": [t.as_json() for t in self.targets],
        }


@dataclass(slots=True)
class ParseResult:
    plan: ParsedPlan
    tasks: list[ParsedTask]
    warnings: list[str] = field(default_factory=list)
    sections: list[ParsedSection] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "plan": self.plan.as_json(),
            "tasks": [t.as_json() for t in self.tasks],
            "warnings": list(self.warnings),
        }

    @property
    def unresolved_names(self) -> list[str]:
        """Every distinct name as written that resolved to no unit, in order of first appearance."""
        seen: dict[str, None] = {}
        for task in self.tasks:
            for unit in (*task.lead, *task.supporting):
                if unit.name is None:
                    seen.setdefault(unit.written, None)
        return list(seen)


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _num(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)
