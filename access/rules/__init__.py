"""The access rules, one module per area; every name is re-exported here.

``can_…`` answers True or False; ``check_…`` raises ``ApplicationError`` (PERMISSION_DENIED for a
refused write or page, NOT_FOUND for something the actor may not see, so its existence is not revealed).
"""

from access.rules.assessment import (
    can_manage_assessment,
    check_can_manage_assessment,
    check_can_view_assessments,
    result_scope,
)
from access.rules.board import can_view_board, check_can_view_board
from access.rules.drafting import can_draft
from access.rules.evidence import can_view_evidence, check_can_change_evidence, check_can_view_evidence
from access.rules.exports import check_can_export_ledger, ledger_unit_for
from access.rules.indicators import (
    can_enter_actuals,
    can_list_targets,
    can_view_target,
    check_can_enter_actuals,
    check_can_list_targets,
    check_can_view_target,
)
from access.rules.notifications import notification_not_found
from access.rules.offline import check_can_use_templates
from access.rules.periods import (
    check_can_manage_periods,
    check_can_manage_plans,
    check_period_open,
    check_plan_open,
)
from access.rules.reminders import (
    can_edit_unit_settings,
    can_retry_deliveries,
    can_urge,
    can_view_deliveries,
    check_can_edit_unit_settings,
    check_can_retry_deliveries,
    check_can_urge,
    check_can_view_deliveries,
    check_can_view_unit_settings,
)
from access.rules.reports import (
    can_edit_report,
    can_review,
    can_submit_report,
    can_view_report,
    can_view_unit_report,
    check_can_edit_report,
    check_can_review,
    check_can_start_report,
    check_can_submit_report,
    check_can_view_report,
    may_submit_for_unit,
    reads_as_unit,
)
from access.rules.tasks import (
    can_decide_extension,
    can_view_task,
    check_can_close_tasks,
    check_can_decide_extension,
    check_can_request_extension,
    check_can_view_task,
    check_can_withdraw_extension,
    check_task_plan_open,
)

__all__ = [
    "can_manage_assessment",
    "check_can_manage_assessment",
    "check_can_view_assessments",
    "result_scope",
    "can_draft",
    "can_edit_report",
    "can_decide_extension",
    "can_edit_unit_settings",
    "can_retry_deliveries",
    "can_review",
    "can_submit_report",
    "can_urge",
    "can_view_board",
    "can_view_deliveries",
    "can_view_evidence",
    "can_view_report",
    "can_view_task",
    "can_view_unit_report",
    "check_can_change_evidence",
    "check_can_close_tasks",
    "check_can_decide_extension",
    "check_can_edit_report",
    "check_can_edit_unit_settings",
    "check_can_export_ledger",
    "check_can_manage_periods",
    "check_can_manage_plans",
    "check_can_request_extension",
    "check_can_retry_deliveries",
    "check_can_review",
    "check_can_start_report",
    "check_can_submit_report",
    "check_can_urge",
    "check_can_use_templates",
    "check_can_view_board",
    "check_can_view_deliveries",
    "check_can_view_evidence",
    "check_can_view_report",
    "check_can_view_task",
    "check_can_view_unit_settings",
    "check_can_withdraw_extension",
    "check_task_plan_open",
    "check_period_open",
    "check_plan_open",
    "ledger_unit_for",
    "may_submit_for_unit",
    "notification_not_found",
    "reads_as_unit",
    # --- h1: indicators
    "can_enter_actuals",
    "can_list_targets",
    "can_view_target",
    "check_can_enter_actuals",
    "check_can_list_targets",
    "check_can_view_target",
]
