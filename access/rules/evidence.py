"""Evidence files (佐证材料) follow their report: who reads the report downloads its files; who may
edit it adds and removes them."""

from __future__ import annotations

from access.actor import Actor
from access.rules.reports import can_view_report, check_can_edit_report, check_can_view_report
from progress.models import ProgressReport


def can_view_evidence(actor: Actor, report: ProgressReport) -> bool:
    return can_view_report(actor, report)


def check_can_view_evidence(actor: Actor, report: ProgressReport) -> None:
    check_can_view_report(actor, report)


def check_can_change_evidence(actor: Actor, report: ProgressReport) -> None:
    check_can_edit_report(actor, report)
