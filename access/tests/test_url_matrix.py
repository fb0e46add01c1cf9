"""Every URL pattern and API route × every kind of user: the permission matrix.

The actors: an anonymous visitor, a clerk of unit A (市工信局, lead of task 2), a clerk of unit B
(市发改局, supporting on task 2), unit A's head, a clerk of a deactivated unit (市旧局, supporting on
task 2 until it was merged away), the plan office, leadership and a signed-in user without a unit.
Each route is called once per actor with the objects it needs (built in a savepoint that is rolled
back afterwards), and the status codes must be exactly the row of :data:`MATRIX`.

:func:`test_every_route_is_in_the_matrix` walks the URL resolver (the admin aside, tested on its
own): a new page or API route fails it until its row is added here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, clear_url_caches, get_resolver, include, path

from access.tests.world import build_access_world
from drafting.models import Draft, DraftTask
from progress.models import ProgressStatus
from progress.services.evidence import add_evidence
from progress.services.reports import accept_report, save_report, start_report, submit_report
from progress.services.task_review import complete_task, request_extension
from progress.tests.test_services_evidence import PDF
from progress.tests.test_services_reports import filled
from reminders.models import DeliveryStatus
from reminders.tests.page_helpers import make_delivery, make_notification
from xingping_tracker.tests.sharing import module_fixtures

pytestmark = pytest.mark.django_db

ACTORS = ("anonymous", "clerk_a", "clerk_b", "head_a", "retired", "plan_office", "leader", "no_unit")
WORLD_USER = {
    "clerk_a": "gongxin_clerk",
    "clerk_b": "fagai_clerk",
    "head_a": "gongxin_head",
    "retired": "retired_clerk",
    "plan_office": "plan_office",
    "leader": "leader",
    "no_unit": "nobody",
}


# --- the objects a route needs ----------------------------------------------------------------


def draft(world):
    """Unit A's draft lead report on task 2 (with one evidence file)."""
    report = start_report(task=world.tasks[2], department_id=world.gongxin.pk, period=world.h2, user=world.gongxin_clerk)
    report = save_report(report_id=report.pk, user=world.gongxin_clerk, expected_version=report.version, data=filled(world))
    add_evidence(report_id=report.pk, user=world.gongxin_clerk, upload=SimpleUploadedFile("材料.pdf", PDF))
    report.refresh_from_db()
    return report


def evidence(world):
    return draft(world).evidence.get()


def submitted(world):
    return submit_report(report_id=draft(world).pk, user=world.gongxin_clerk)


def accepted_completed(world) -> int:
    report = draft(world)
    report = save_report(
        report_id=report.pk, user=world.gongxin_clerk, expected_version=report.version,
        data=filled(world, progress_status=ProgressStatus.COMPLETED, percent=100),
    )
    submit_report(report_id=report.pk, user=world.gongxin_clerk)
    accept_report(report_id=report.pk, user=world.plan_office)
    return report.task_id


def completed(world) -> int:
    task_id = accepted_completed(world)
    complete_task(task_id=task_id, user=world.plan_office)
    return task_id


def extension(world):
    """Unit A's pending extension request on task 2."""
    return request_extension(
        task_id=world.tasks[2].pk, user=world.gongxin_clerk, requested_deadline=dt.date(2099, 1, 1), reason="理由"
    )


def notification(world):
    """A notification of unit A's clerk."""
    return make_notification(world.gongxin_clerk)


def plan_draft(world):
    """A draft plan of the plan office's with one candidate task."""
    draft = Draft.objects.create(title="测试市2025年重点工作分工方案", year=2025, source_text="建设5G基站100个。", created_by=world.plan_office)
    DraftTask.objects.create(draft=draft, position=0, text="建设5G基站100个。", lead="市工信局")
    return draft


def failed_delivery(world):
    return make_delivery(world, status=DeliveryStatus.FAILED)


# --- h2: the annual assessment's objects
def assessment_draft(world):
    from assessment.services import compute_draft

    return compute_draft(plan_id=world.plan.pk, year=2024, user=world.plan_office)


def assessment_finalised(world):
    from assessment.services import finalise

    return finalise(assessment_id=assessment_draft(world).pk, user=world.plan_office)


def contribution(world):
    """Unit B's submitted contribution (supporting) on task 2, waiting in the review queue."""
    from progress.tests.factories import ProgressReportFactory

    return ProgressReportFactory(
        task=world.tasks[2], department=world.fagai, period=world.h2, role="supporting", status="submitted"
    )


def next_plan(world):
    """A plan in progress to carry unfinished tasks into (h3)."""
    from tasks.tests.factories import PlanFactory

    return PlanFactory(title="测试市“十五五”规划任务分工方案")


# --- the matrix -------------------------------------------------------------------------------


@dataclass
class Call:
    method: str
    url: str
    data: Any = None
    content_type: str | None = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def rules_form() -> dict[str, str]:
    """The 考核规则 page's form filled with 兴平's rules."""
    from assessment.tests.test_views import rules_form as filled

    return filled()


def _json(method: str, url: str, data: Any = None, **headers: str) -> Call:
    return Call(method, url, data or {}, "application/json", headers)


def _form(method: str, url: str, data: Any = None) -> Call:
    return Call(method, url, data or {}, None)


# (route name, method) → how to build the call from the world.
CALLS: dict[tuple[str, str], Callable[[Any], Call]] = {
    # --- API: plans, units, tasks
    ("api:api-root", "GET"): lambda w: _json("get", "/api/"),
    ("api:auth-token", "POST"): lambda w: _json("post", "/api/auth/token/", {"username": "gongxin_clerk", "password": "错"}),
    ("api:plan-list", "GET"): lambda w: _json("get", "/api/plans/"),
    ("api:plan-detail", "GET"): lambda w: _json("get", f"/api/plans/{w.plan.pk}/"),
    ("api:section-list", "GET"): lambda w: _json("get", "/api/sections/"),
    ("api:section-detail", "GET"): lambda w: _json("get", f"/api/sections/{w.section11.pk}/"),
    ("api:task-list", "GET"): lambda w: _json("get", "/api/tasks/"),
    ("api:task-detail", "GET"): lambda w: _json("get", f"/api/tasks/{w.tasks[2].pk}/"),
    ("api:department-list", "GET"): lambda w: _json("get", "/api/departments/"),
    ("api:department-detail", "GET"): lambda w: _json("get", f"/api/departments/{w.gongxin.pk}/"),
    ("api:department-group-list", "GET"): lambda w: _json("get", "/api/department-groups/"),
    ("api:department-group-detail", "GET"): lambda w: _json("get", f"/api/department-groups/{w.all_towns.pk}/"),
    # --- API: periods, reports, evidence, extensions, task progress
    ("api:period-list", "GET"): lambda w: _json("get", "/api/periods/"),
    ("api:period-detail", "GET"): lambda w: _json("get", f"/api/periods/{w.h2.pk}/"),
    ("api:period-open", "POST"): lambda w: _json("post", f"/api/periods/{w.h1.pk}/open/"),
    ("api:period-close", "POST"): lambda w: _json("post", f"/api/periods/{w.h2.pk}/close/"),
    ("api:report-list", "GET"): lambda w: _json("get", "/api/reports/"),
    ("api:report-list", "POST"): lambda w: _json("post", "/api/reports/", {"task": w.tasks[2].pk, "period": w.h2.pk}),
    ("api:report-detail", "GET"): lambda w: _json("get", f"/api/reports/{draft(w).pk}/"),
    ("api:report-detail", "PUT"): lambda w: (lambda r: _json(
        "put", f"/api/reports/{r.pk}/", {"progress_status": "delayed", "progress_text": "改"}, HTTP_IF_MATCH=f'"{r.version}"'
    ))(draft(w)),
    ("api:report-detail", "PATCH"): lambda w: (lambda r: _json(
        "patch", f"/api/reports/{r.pk}/", {"progress_text": "改"}, HTTP_IF_MATCH=f'"{r.version}"'
    ))(draft(w)),
    ("api:report-contributions", "GET"): lambda w: _json("get", f"/api/reports/{draft(w).pk}/contributions/"),
    ("api:report-evidence", "GET"): lambda w: _json("get", f"/api/reports/{draft(w).pk}/evidence/"),
    ("api:report-evidence", "POST"): lambda w: Call(
        "post", f"/api/reports/{draft(w).pk}/evidence/", {"file": SimpleUploadedFile("新材料.pdf", PDF)}, None
    ),
    ("api:report-submit", "POST"): lambda w: _json("post", f"/api/reports/{draft(w).pk}/submit/"),
    ("api:report-accept", "POST"): lambda w: _json("post", f"/api/reports/{submitted(w).pk}/accept/", {"comment": "同意"}),
    ("api:report-return", "POST"): lambda w: _json("post", f"/api/reports/{submitted(w).pk}/return/", {"comment": "补充"}),
    ("api:evidence-detail", "DELETE"): lambda w: _json("delete", f"/api/evidence/{evidence(w).pk}/"),
    ("api:evidence-download", "GET"): lambda w: _json("get", f"/api/evidence/{evidence(w).pk}/download/"),
    ("api:extension-request-list", "GET"): lambda w: _json("get", "/api/extension-requests/"),
    ("api:extension-request-list", "POST"): lambda w: _json(
        "post", "/api/extension-requests/", {"task": w.tasks[2].pk, "requested_deadline": "2099-01-01", "reason": "理由"}
    ),
    ("api:extension-request-detail", "GET"): lambda w: _json("get", f"/api/extension-requests/{extension(w).pk}/"),
    ("api:extension-request-approve", "POST"): lambda w: _json("post", f"/api/extension-requests/{extension(w).pk}/approve/"),
    ("api:extension-request-refuse", "POST"): lambda w: _json(
        "post", f"/api/extension-requests/{extension(w).pk}/refuse/", {"comment": "不同意"}
    ),
    ("api:extension-request-withdraw", "POST"): lambda w: _json(
        "post", f"/api/extension-requests/{extension(w).pk}/withdraw/"
    ),
    ("api:task-progress-detail", "GET"): lambda w: _json("get", f"/api/task-progress/{w.tasks[2].pk}/"),
    ("api:task-progress-complete", "POST"): lambda w: _json(
        "post", f"/api/task-progress/{accepted_completed(w)}/complete/", {"comment": "办结"}
    ),
    ("api:task-progress-reopen", "POST"): lambda w: _json("post", f"/api/task-progress/{completed(w)}/reopen/", {"comment": "重开"}),
    # --- API: notifications, reminders, dashboard, exports, offline
    ("api:notification-list", "GET"): lambda w: _json("get", "/api/notifications/"),
    ("api:notification-read", "POST"): lambda w: _json("post", f"/api/notifications/{notification(w).pk}/read/"),
    ("api:notification-read-all", "POST"): lambda w: _json("post", "/api/notifications/read-all/"),
    ("api:reminder-delivery-list", "GET"): lambda w: _json("get", "/api/reminder-deliveries/"),
    ("api:reminder-delivery-retry", "POST"): lambda w: _json("post", f"/api/reminder-deliveries/{failed_delivery(w).pk}/retry/"),
    ("api:dashboard", "GET"): lambda w: _json("get", f"/api/dashboard/?period={w.h2.pk}"),
    ("api:export-ledger", "GET"): lambda w: _json("get", f"/api/exports/ledger/?period={w.h2.pk}"),
    ("api:export-meeting-pack", "GET"): lambda w: _json("get", f"/api/exports/meeting-pack/?period={w.h2.pk}"),
    ("api:offline-template", "GET"): lambda w: _json("get", f"/api/offline/template/?period={w.h2.pk}"),
    ("api:offline-upload", "POST"): lambda w: Call("post", "/api/offline/upload/", {}, None),
    # --- schema and docs
    ("api-schema", "GET"): lambda w: _json("get", "/api/schema/"),
    ("api-docs", "GET"): lambda w: _json("get", "/api/docs/"),
    # --- signing in (public)
    ("login", "GET"): lambda w: _form("get", "/accounts/login/"),
    ("logout", "POST"): lambda w: _form("post", "/accounts/logout/"),
    # --- drafting a plan from a work report (the plan office)
    ("drafting:home", "GET"): lambda w: _form("get", "/drafting/"),
    ("drafting:detail", "GET"): lambda w: _form("get", f"/drafting/{plan_draft(w).pk}/"),
    ("drafting:accept", "POST"): lambda w: _form("post", f"/drafting/{plan_draft(w).pk}/accept/"),
    ("drafting:export_docx", "GET"): lambda w: _form("get", f"/drafting/{plan_draft(w).pk}/plan.docx"),
    ("drafting:export_xlsx", "GET"): lambda w: _form("get", f"/drafting/{plan_draft(w).pk}/ledger.xlsx"),
    # --- reminder pages
    ("reminders:notification_list", "GET"): lambda w: _form("get", "/notifications/"),
    ("reminders:notification_open", "POST"): lambda w: _form("post", f"/notifications/{notification(w).pk}/open/"),
    ("reminders:notification_read_all", "POST"): lambda w: _form("post", "/notifications/read-all/"),
    ("reminders:delivery_list", "GET"): lambda w: _form("get", "/reminders/deliveries/"),
    ("reminders:delivery_retry", "POST"): lambda w: _form("post", f"/reminders/deliveries/{failed_delivery(w).pk}/retry/"),
    ("reminders:unit_settings_list", "GET"): lambda w: _form("get", "/reminders/units/"),
    ("reminders:unit_settings_edit", "GET"): lambda w: _form("get", f"/reminders/units/{w.gongxin.pk}/"),
    ("reminders:unit_settings_edit", "POST"): lambda w: _form(
        "post", f"/reminders/units/{w.gongxin.pk}/", {"email_enabled": "on", "inapp_enabled": "on"}
    ),
    # --- dashboard, exports, offline pages
    ("dashboard:home", "GET"): lambda w: _form("get", f"/dashboard/?period={w.h2.pk}"),
    ("dashboard:tasks", "GET"): lambda w: _form("get", f"/dashboard/tasks/?period={w.h2.pk}"),
    ("exports:ledger", "GET"): lambda w: _form("get", f"/exports/ledger/?period={w.h2.pk}"),
    ("exports:meeting_pack", "GET"): lambda w: _form("get", f"/exports/meeting-pack/?period={w.h2.pk}"),
    ("offline:template_download", "GET"): lambda w: _form("get", f"/offline/template/?period={w.h2.pk}"),
    ("offline:template_upload", "GET"): lambda w: _form("get", "/offline/upload/"),
    ("offline:template_upload", "POST"): lambda w: _form("post", "/offline/upload/"),
    # --- the portal: unit pages
    ("progress:home", "GET"): lambda w: _form("get", "/"),
    ("progress:task_detail", "GET"): lambda w: _form("get", f"/tasks/{w.tasks[2].pk}/"),
    ("progress:report_form", "GET"): lambda w: _form("get", f"/tasks/{w.tasks[2].pk}/periods/{w.h2.pk}/report/"),
    ("progress:report_form", "POST"): lambda w: _form(
        "post", f"/tasks/{w.tasks[2].pk}/periods/{w.h2.pk}/report/",
        {"action": "save", "progress_status": "on_track", "percent": "50", "progress_text": "进展"},
    ),
    ("progress:extension_request", "POST"): lambda w: _form(
        "post", f"/tasks/{w.tasks[2].pk}/extension/", {"requested_deadline": "2099-01-01", "reason": "理由"}
    ),
    ("progress:extension_withdraw", "POST"): lambda w: _form("post", f"/extensions/{extension(w).pk}/withdraw/"),
    ("progress:evidence_upload", "POST"): lambda w: _form(
        "post", f"/reports/{draft(w).pk}/evidence/", {"file": SimpleUploadedFile("新材料.pdf", PDF)}
    ),
    ("progress:evidence_delete", "POST"): lambda w: _form("post", f"/evidence/{evidence(w).pk}/delete/"),
    ("progress:evidence_download", "GET"): lambda w: _form("get", f"/evidence/{evidence(w).pk}/"),
    # --- the portal: review pages
    ("progress:review_home", "GET"): lambda w: _form("get", "/review/"),
    ("progress:period_list", "GET"): lambda w: _form("get", "/periods/"),
    ("progress:period_open", "POST"): lambda w: _form("post", f"/periods/{w.h1.pk}/open/"),
    ("progress:period_close", "POST"): lambda w: _form("post", f"/periods/{w.h2.pk}/close/"),
    ("progress:period_board", "GET"): lambda w: _form("get", f"/periods/{w.h2.pk}/board/"),
    ("progress:period_generate", "POST"): lambda w: _form("post", f"/plans/{w.plan.pk}/periods/generate/"),
    ("progress:report_detail", "GET"): lambda w: _form("get", f"/reports/{submitted(w).pk}/"),
    ("progress:report_accept", "POST"): lambda w: _form("post", f"/reports/{submitted(w).pk}/accept/", {"comment": "同意"}),
    ("progress:report_return", "POST"): lambda w: _form("post", f"/reports/{submitted(w).pk}/return/", {"comment": "补充"}),
    ("progress:task_complete", "POST"): lambda w: _form("post", f"/tasks/{accepted_completed(w)}/complete/", {"comment": "办结"}),
    ("progress:task_reopen", "POST"): lambda w: _form("post", f"/tasks/{completed(w)}/reopen/", {"comment": "重开"}),
    ("progress:extension_list", "GET"): lambda w: _form("get", "/extensions/"),
    ("progress:extension_approve", "POST"): lambda w: _form("post", f"/extensions/{extension(w).pk}/approve/"),
    ("progress:extension_refuse", "POST"): lambda w: _form("post", f"/extensions/{extension(w).pk}/refuse/", {"comment": "不同意"}),
    # --- h7: choosing the meeting pack's sheets
    ("exports:meeting_pack_options", "GET"): lambda w: _form("get", f"/exports/meeting-pack/options/?period={w.h2.pk}"),
    # --- h3: the evaluation report, ending a plan, carrying its unfinished tasks
    ("evaluation:home", "GET"): lambda w: _form("get", "/evaluation/"),
    ("evaluation:plan_detail", "GET"): lambda w: _form("get", f"/evaluation/plans/{w.plan.pk}/"),
    ("evaluation:report", "GET"): lambda w: _form("get", f"/evaluation/plans/{w.plan.pk}/report/?as_of=2025-01-31"),
    ("evaluation:close", "POST"): lambda w: _form("post", f"/evaluation/plans/{w.plan.pk}/close/", {"confirm": "yes"}),
    ("evaluation:carry", "POST"): lambda w: _form(
        "post", f"/evaluation/plans/{w.plan.pk}/carry/", {"target_plan": next_plan(w).pk, "scope": "all"}
    ),
    ("api:evaluation-report", "GET"): lambda w: _json("get", f"/api/evaluation/plans/{w.plan.pk}/report/?as_of=2025-01-31"),
    ("api:evaluation-plan-close", "POST"): lambda w: _json("post", f"/api/evaluation/plans/{w.plan.pk}/close/", {"confirm": True}),
    ("api:evaluation-plan-carry", "POST"): lambda w: _json(
        "post", f"/api/evaluation/plans/{w.plan.pk}/carry/", {"target_plan": next_plan(w).pk}
    ),
    # --- h1: indicators (targets, their actual series, the plan office's entries)
    ("api:target-list", "GET"): lambda w: _json("get", "/api/targets/"),
    ("api:target-detail", "GET"): lambda w: _json("get", f"/api/targets/{w.target.pk}/"),
    ("api:target-actuals", "GET"): lambda w: _json("get", f"/api/targets/{w.target.pk}/actuals/"),
    ("api:target-actuals", "POST"): lambda w: _json(
        "post", f"/api/targets/{w.target.pk}/actuals/", {"year": "2024", "value": "4.6", "reason": "依据统计公报"}
    ),
    ("indicators:target_list", "GET"): lambda w: _form("get", "/indicators/"),
    ("indicators:target_detail", "GET"): lambda w: _form("get", f"/indicators/{w.target.pk}/"),
    ("indicators:actual_enter", "POST"): lambda w: _form(
        "post", f"/indicators/{w.target.pk}/actuals/", {"year": "2024", "value": "4.6", "reason": "依据统计公报"}
    ),
    ("indicators:baseline_edit", "POST"): lambda w: _form(
        "post", f"/indicators/{w.target.pk}/baseline/", {"baseline_value": "3.1", "baseline_year": "2020"}
    ),
    # --- h2: the annual assessment (pages and API)
    ("assessment:home", "GET"): lambda w: _form("get", "/assessment/"),
    ("assessment:compute", "POST"): lambda w: _form("post", "/assessment/compute/", {"plan": w.plan.pk, "year": "2024"}),
    ("assessment:detail", "GET"): lambda w: _form("get", f"/assessment/{assessment_finalised(w).pk}/"),
    ("assessment:adjust", "POST"): lambda w: _form(
        "post", f"/assessment/{assessment_draft(w).pk}/adjust/", {"department": w.fagai.pk, "delta": "1", "reason": "理由"}
    ),
    ("assessment:finalise", "POST"): lambda w: _form("post", f"/assessment/{assessment_draft(w).pk}/finalise/"),
    ("assessment:publish", "POST"): lambda w: _form("post", f"/assessment/{assessment_finalised(w).pk}/publish/"),
    ("assessment:export", "GET"): lambda w: _form("get", f"/assessment/{assessment_finalised(w).pk}/export/"),
    ("assessment:rules", "GET"): lambda w: _form("get", f"/assessment/rules/{w.plan.pk}/"),
    ("assessment:rules", "POST"): lambda w: _form("post", f"/assessment/rules/{w.plan.pk}/", rules_form()),
    ("api:assessment-list", "GET"): lambda w: _json("get", "/api/assessments/"),
    ("api:assessment-list", "POST"): lambda w: _json("post", "/api/assessments/", {"plan": w.plan.pk, "year": 2024}),
    ("api:assessment-detail", "GET"): lambda w: _json("get", f"/api/assessments/{assessment_finalised(w).pk}/"),
    ("api:assessment-adjust", "POST"): lambda w: _json(
        "post", f"/api/assessments/{assessment_draft(w).pk}/adjust/", {"department": w.fagai.pk, "delta": "1", "reason": "理由"}
    ),
    ("api:assessment-finalise", "POST"): lambda w: _json("post", f"/api/assessments/{assessment_draft(w).pk}/finalise/"),
    ("api:assessment-publish", "POST"): lambda w: _json("post", f"/api/assessments/{assessment_finalised(w).pk}/publish/"),
    # --- h5: the review queue, bulk accept, silent units and 催办, close confirmation (issue 15)
    ("progress:review_queue", "GET"): lambda w: _form("get", f"/periods/{w.h2.pk}/queue/"),
    ("progress:queue_accept", "POST"): lambda w: _form(
        "post", f"/periods/{w.h2.pk}/queue/accept/", {"report": [contribution(w).pk], "confirm": "yes"}
    ),
    ("progress:silent_units", "GET"): lambda w: _form("get", f"/periods/{w.h2.pk}/silent/"),
    ("progress:unit_urge", "POST"): lambda w: _form("post", f"/periods/{w.h2.pk}/silent/{w.fagai.pk}/urge/"),
    ("progress:period_close_confirm", "GET"): lambda w: _form("get", f"/periods/{w.h2.pk}/close/confirm/"),
    # --- h8: search, password change, print view of one task
    ("progress:search", "GET"): lambda w: _form("get", "/search/?q=2"),
    ("progress:password_change", "GET"): lambda w: _form("get", "/account/password/"),
    ("progress:password_change", "POST"): lambda w: _form(
        "post", "/account/password/", {"old_password": "错", "new_password1": "x", "new_password2": "y"}
    ),
    ("progress:task_print", "GET"): lambda w: _form("get", f"/tasks/{w.tasks[2].pk}/print/"),
    # --- h4: the clerk's bulk 报送 (unit A's complete draft of task 2)
    ("progress:bulk_submit", "GET"): lambda w: _form("get", f"/periods/{w.h2.pk}/bulk-submit/"),
    ("progress:bulk_submit", "POST"): lambda w: _form("post", f"/periods/{w.h2.pk}/bulk-submit/", {"report": draft(w).pk}),
}

# Anonymous: 401 from the API, a redirect to the sign-in page (302) from a page. Something the actor
# may not see is 404 (as if it did not exist); a page or a write they may not use is 403. A write
# they may make answers 200/201/204 on the API and redirects (302) from a page; 400: refused for the
# input, after the permission check. The deactivated unit's clerk (ret) sees no unit task anywhere.
#  (anon, clerk A, clerk B, head A, clerk of a deactivated unit, plan office, leadership, no unit)
MATRIX: dict[tuple[str, str], tuple[int, ...]] = {
    ("api:api-root", "GET"):                     (401, 200, 200, 200, 200, 200, 200, 200),
    ("api:auth-token", "POST"):                  (400, 400, 400, 400, 400, 400, 400, 400),
    ("api:plan-list", "GET"):                    (401, 200, 200, 200, 200, 200, 200, 200),
    ("api:plan-detail", "GET"):                  (401, 200, 200, 200, 200, 200, 200, 200),
    ("api:section-list", "GET"):                 (401, 200, 200, 200, 200, 200, 200, 200),
    ("api:section-detail", "GET"):               (401, 200, 200, 200, 200, 200, 200, 200),
    ("api:task-list", "GET"):                    (401, 200, 200, 200, 200, 200, 200, 200),
    ("api:task-detail", "GET"):                  (401, 200, 200, 200, 404, 200, 200, 404),
    ("api:department-list", "GET"):              (401, 200, 200, 200, 200, 200, 200, 200),
    ("api:department-detail", "GET"):            (401, 200, 200, 200, 200, 200, 200, 200),
    ("api:department-group-list", "GET"):        (401, 200, 200, 200, 200, 200, 200, 200),
    ("api:department-group-detail", "GET"):      (401, 200, 200, 200, 200, 200, 200, 200),
    ("api:period-list", "GET"):                  (401, 200, 200, 200, 200, 200, 200, 200),
    ("api:period-detail", "GET"):                (401, 200, 200, 200, 200, 200, 200, 200),
    ("api:period-open", "POST"):                 (401, 403, 403, 403, 403, 200, 403, 403),
    ("api:period-close", "POST"):                (401, 403, 403, 403, 403, 200, 403, 403),
    ("api:report-list", "GET"):                  (401, 200, 200, 200, 200, 200, 200, 200),
    ("api:report-list", "POST"):                 (401, 201, 201, 201, 404, 403, 403, 404),
    ("api:report-detail", "GET"):                (401, 200, 404, 200, 404, 200, 200, 404),
    ("api:report-detail", "PUT"):                (401, 200, 404, 200, 404, 403, 403, 404),
    ("api:report-detail", "PATCH"):              (401, 200, 404, 200, 404, 403, 403, 404),
    ("api:report-contributions", "GET"):         (401, 200, 404, 200, 404, 200, 200, 404),
    ("api:report-evidence", "GET"):              (401, 200, 404, 200, 404, 200, 200, 404),
    ("api:report-evidence", "POST"):             (401, 201, 404, 201, 404, 403, 403, 404),
    ("api:report-submit", "POST"):               (401, 200, 404, 200, 404, 403, 403, 404),
    ("api:report-accept", "POST"):               (401, 403, 403, 403, 404, 200, 403, 404),
    ("api:report-return", "POST"):               (401, 403, 403, 403, 404, 200, 403, 404),
    ("api:evidence-detail", "DELETE"):           (401, 204, 404, 204, 404, 403, 403, 404),
    ("api:evidence-download", "GET"):            (401, 200, 404, 200, 404, 200, 200, 404),
    ("api:extension-request-list", "GET"):       (401, 200, 200, 200, 200, 200, 200, 200),
    ("api:extension-request-list", "POST"):      (401, 201, 403, 201, 404, 403, 403, 404),
    ("api:extension-request-detail", "GET"):     (401, 200, 404, 200, 404, 200, 200, 404),
    ("api:extension-request-approve", "POST"):   (401, 403, 404, 403, 404, 200, 403, 404),
    ("api:extension-request-refuse", "POST"):    (401, 403, 404, 403, 404, 200, 403, 404),
    ("api:extension-request-withdraw", "POST"):  (401, 200, 404, 200, 404, 403, 403, 404),
    ("api:task-progress-detail", "GET"):         (401, 200, 200, 200, 404, 200, 200, 404),
    ("api:task-progress-complete", "POST"):      (401, 403, 403, 403, 404, 200, 403, 404),
    ("api:task-progress-reopen", "POST"):        (401, 403, 403, 403, 404, 200, 403, 404),
    ("api:notification-list", "GET"):            (401, 200, 200, 200, 200, 200, 200, 200),
    ("api:notification-read", "POST"):           (401, 200, 404, 404, 404, 404, 404, 404),
    ("api:notification-read-all", "POST"):       (401, 200, 200, 200, 200, 200, 200, 200),
    ("api:reminder-delivery-list", "GET"):       (401, 403, 403, 403, 403, 200, 200, 403),
    ("api:reminder-delivery-retry", "POST"):     (401, 403, 403, 403, 403, 200, 403, 403),
    ("api:dashboard", "GET"):                    (401, 403, 403, 403, 403, 200, 200, 403),
    ("api:export-ledger", "GET"):                (401, 200, 200, 200, 404, 200, 200, 404),
    ("api:export-meeting-pack", "GET"):          (401, 404, 404, 404, 404, 200, 200, 404),
    ("api:offline-template", "GET"):             (401, 200, 200, 200, 403, 403, 403, 403),
    ("api:offline-upload", "POST"):              (401, 400, 400, 400, 403, 403, 403, 403),
    ("api-schema", "GET"):                       (200, 200, 200, 200, 200, 200, 200, 200),
    ("api-docs", "GET"):                         (200, 200, 200, 200, 200, 200, 200, 200),
    ("login", "GET"):                            (200, 200, 200, 200, 200, 200, 200, 200),
    ("logout", "POST"):                          (302, 302, 302, 302, 302, 302, 302, 302),
    ("drafting:home", "GET"):                    (302, 403, 403, 403, 403, 200, 403, 403),
    ("drafting:detail", "GET"):                  (302, 403, 403, 403, 403, 200, 403, 403),
    ("drafting:accept", "POST"):                 (302, 403, 403, 403, 403, 302, 403, 403),
    ("drafting:export_docx", "GET"):             (302, 403, 403, 403, 403, 200, 403, 403),
    ("drafting:export_xlsx", "GET"):             (302, 403, 403, 403, 403, 200, 403, 403),
    ("reminders:notification_list", "GET"):      (302, 200, 200, 200, 200, 200, 200, 200),
    ("reminders:notification_open", "POST"):     (302, 302, 404, 404, 404, 404, 404, 404),
    ("reminders:notification_read_all", "POST"): (302, 302, 302, 302, 302, 302, 302, 302),
    ("reminders:delivery_list", "GET"):          (302, 403, 403, 403, 403, 200, 200, 403),
    ("reminders:delivery_retry", "POST"):        (302, 403, 403, 403, 403, 302, 403, 403),
    ("reminders:unit_settings_list", "GET"):     (302, 403, 403, 403, 403, 200, 200, 403),
    ("reminders:unit_settings_edit", "GET"):     (302, 403, 403, 403, 403, 200, 403, 403),
    ("reminders:unit_settings_edit", "POST"):    (302, 403, 403, 403, 403, 302, 403, 403),
    ("dashboard:home", "GET"):                   (302, 403, 403, 403, 403, 200, 200, 403),
    ("dashboard:tasks", "GET"):                  (302, 403, 403, 403, 403, 200, 200, 403),
    ("exports:ledger", "GET"):                   (302, 200, 200, 200, 404, 200, 200, 404),
    ("exports:meeting_pack", "GET"):             (302, 404, 404, 404, 404, 200, 200, 404),
    ("offline:template_download", "GET"):        (302, 200, 200, 200, 403, 403, 403, 403),
    ("offline:template_upload", "GET"):          (302, 200, 200, 200, 403, 403, 403, 403),
    ("offline:template_upload", "POST"):         (302, 400, 400, 400, 403, 403, 403, 403),
    ("progress:home", "GET"):                    (302, 200, 200, 200, 200, 302, 302, 200),
    ("progress:task_detail", "GET"):             (302, 200, 200, 200, 404, 200, 200, 404),
    ("progress:report_form", "GET"):             (302, 200, 200, 200, 404, 200, 200, 404),
    ("progress:report_form", "POST"):            (302, 400, 400, 400, 404, 403, 403, 404),
    ("progress:extension_request", "POST"):      (302, 302, 403, 302, 404, 403, 403, 404),
    ("progress:extension_withdraw", "POST"):     (302, 302, 404, 302, 404, 403, 403, 404),
    ("progress:evidence_upload", "POST"):        (302, 302, 404, 302, 404, 403, 403, 404),
    ("progress:evidence_delete", "POST"):        (302, 302, 404, 302, 404, 403, 403, 404),
    ("progress:evidence_download", "GET"):       (302, 200, 404, 200, 404, 200, 200, 404),
    ("progress:review_home", "GET"):             (302, 404, 404, 404, 404, 302, 302, 404),
    ("progress:period_list", "GET"):             (302, 404, 404, 404, 404, 200, 200, 404),
    ("progress:period_open", "POST"):            (302, 404, 404, 404, 404, 302, 403, 404),
    ("progress:period_close", "POST"):           (302, 404, 404, 404, 404, 302, 403, 404),
    ("progress:period_board", "GET"):            (302, 404, 404, 404, 404, 200, 200, 404),
    ("progress:period_generate", "POST"):        (302, 404, 404, 404, 404, 302, 403, 404),
    ("progress:report_detail", "GET"):           (302, 200, 200, 200, 404, 200, 200, 404),
    ("progress:report_accept", "POST"):          (302, 403, 403, 403, 404, 302, 403, 404),
    ("progress:report_return", "POST"):          (302, 403, 403, 403, 404, 302, 403, 404),
    ("progress:task_complete", "POST"):          (302, 403, 403, 403, 404, 302, 403, 404),
    ("progress:task_reopen", "POST"):            (302, 403, 403, 403, 404, 302, 403, 404),
    ("progress:extension_list", "GET"):          (302, 200, 200, 200, 200, 200, 200, 200),
    ("progress:extension_approve", "POST"):      (302, 403, 404, 403, 404, 302, 403, 404),
    ("progress:extension_refuse", "POST"):       (302, 403, 404, 403, 404, 302, 403, 404),
    # --- h7: choosing the meeting pack's sheets
    ("exports:meeting_pack_options", "GET"):     (302, 404, 404, 404, 404, 200, 200, 404),
    # --- h3: the evaluation report, ending a plan, carrying its unfinished tasks
    ("evaluation:home", "GET"):                  (302, 404, 404, 404, 404, 200, 200, 404),
    ("evaluation:plan_detail", "GET"):           (302, 404, 404, 404, 404, 200, 200, 404),
    ("evaluation:report", "GET"):                (302, 404, 404, 404, 404, 200, 200, 404),
    ("evaluation:close", "POST"):                (302, 404, 404, 404, 404, 302, 403, 404),
    ("evaluation:carry", "POST"):                (302, 404, 404, 404, 404, 302, 403, 404),
    ("api:evaluation-report", "GET"):            (401, 404, 404, 404, 404, 200, 200, 404),
    ("api:evaluation-plan-close", "POST"):       (401, 404, 404, 404, 404, 200, 403, 404),
    ("api:evaluation-plan-carry", "POST"):       (401, 404, 404, 404, 404, 201, 403, 404),
    # --- h1: indicators
    ("api:target-list", "GET"):                  (401, 200, 200, 200, 200, 200, 200, 200),
    ("api:target-detail", "GET"):                (401, 200, 200, 200, 404, 200, 200, 404),
    ("api:target-actuals", "GET"):               (401, 200, 200, 200, 404, 200, 200, 404),
    ("api:target-actuals", "POST"):              (401, 403, 403, 403, 404, 201, 403, 404),
    ("indicators:target_list", "GET"):           (302, 200, 200, 200, 403, 200, 200, 403),
    ("indicators:target_detail", "GET"):         (302, 200, 200, 200, 404, 200, 200, 404),
    ("indicators:actual_enter", "POST"):         (302, 403, 403, 403, 404, 302, 403, 404),
    ("indicators:baseline_edit", "POST"):        (302, 403, 403, 403, 404, 302, 403, 404),
    # --- h2: the annual assessment (drafts are the plan office's; finalised: leadership and units read)
    ("assessment:home", "GET"):                  (302, 200, 200, 200, 404, 200, 200, 404),
    ("assessment:compute", "POST"):              (302, 403, 403, 403, 403, 302, 403, 403),
    ("assessment:detail", "GET"):                (302, 200, 200, 200, 404, 200, 200, 404),
    ("assessment:adjust", "POST"):               (302, 404, 404, 404, 404, 302, 404, 404),
    ("assessment:finalise", "POST"):             (302, 404, 404, 404, 404, 302, 404, 404),
    ("assessment:publish", "POST"):              (302, 403, 403, 403, 404, 302, 403, 404),
    ("assessment:export", "GET"):                (302, 200, 200, 200, 404, 200, 200, 404),
    ("assessment:rules", "GET"):                 (302, 403, 403, 403, 403, 200, 403, 403),
    ("assessment:rules", "POST"):                (302, 403, 403, 403, 403, 302, 403, 403),
    ("api:assessment-list", "GET"):              (401, 200, 200, 200, 404, 200, 200, 404),
    ("api:assessment-list", "POST"):             (401, 403, 403, 403, 403, 201, 403, 403),
    ("api:assessment-detail", "GET"):            (401, 200, 200, 200, 404, 200, 200, 404),
    ("api:assessment-adjust", "POST"):           (401, 404, 404, 404, 404, 200, 404, 404),
    ("api:assessment-finalise", "POST"):         (401, 404, 404, 404, 404, 200, 404, 404),
    ("api:assessment-publish", "POST"):          (401, 403, 403, 403, 404, 200, 403, 404),
    # --- h5: the review queue, bulk accept, silent units and 催办, close confirmation (issue 15)
    ("progress:review_queue", "GET"):            (302, 404, 404, 404, 404, 200, 200, 404),
    ("progress:queue_accept", "POST"):           (302, 404, 404, 404, 404, 302, 403, 404),
    ("progress:silent_units", "GET"):            (302, 404, 404, 404, 404, 200, 200, 404),
    ("progress:unit_urge", "POST"):              (302, 404, 404, 404, 404, 302, 403, 404),
    ("progress:period_close_confirm", "GET"):    (302, 404, 404, 404, 404, 200, 403, 404),
    # --- h8: search, password change, print view of one task
    ("progress:search", "GET"):                  (302, 200, 200, 200, 200, 200, 200, 200),
    ("progress:password_change", "GET"):         (302, 200, 200, 200, 200, 200, 200, 200),
    ("progress:password_change", "POST"):        (302, 400, 400, 400, 400, 400, 400, 400),
    ("progress:task_print", "GET"):              (302, 200, 200, 200, 404, 200, 200, 404),
    # --- h4: the clerk's bulk 报送: another unit's draft is not found, people without a unit are refused
    ("progress:bulk_submit", "GET"):             (302, 200, 200, 200, 403, 403, 403, 403),
    ("progress:bulk_submit", "POST"):            (302, 302, 404, 302, 403, 403, 403, 403),
}


# --- the routes the project serves -------------------------------------------------------------


def _walk(patterns: list[Any], namespace: str | None = None) -> Iterator[URLPattern | tuple[str, Any]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue  # the admin is Django's: staff only (test_the_admin_is_for_staff_only)
            inner = ":".join(filter(None, [namespace, pattern.namespace])) or None
            yield from _walk(pattern.url_patterns, inner)
        else:
            name = ":".join(filter(None, [namespace, pattern.name]))
            yield name, pattern


def served_routes() -> tuple[set[tuple[str, str]], set[str]]:
    """(API routes as (name, method) from the router's actions, names of every other route)."""
    api, pages = set(), set()
    for name, pattern in _walk(get_resolver().url_patterns):
        assert name, f"a URL pattern without a name: {pattern.pattern} (name it, then add it to MATRIX)"
        actions = getattr(pattern.callback, "actions", None)
        if actions:
            # HEAD is GET without the body (DRF adds it to ``actions`` once the route has served a GET)
            api.update((name, method.upper()) for method in actions if method != "head")
        else:
            pages.add(name)
    return api, pages


def missing_routes() -> list[Any]:
    """The served routes without a row in :data:`MATRIX`."""
    api, pages = served_routes()
    return sorted(api - set(MATRIX)) + sorted(name for name in pages if not any(key[0] == name for key in MATRIX))


def test_every_route_is_in_the_matrix(access_world):
    assert not missing_routes(), f"routes without a row in the permission matrix: {missing_routes()}"
    api, pages = served_routes()
    stale = sorted(key for key in MATRIX if key not in api and key[0] not in pages)
    assert not stale, f"matrix rows for routes that do not exist: {stale}"
    assert set(CALLS) == set(MATRIX)


def _new_page(request):  # pragma: no cover - never called
    raise AssertionError


class _WithNewRoutes:
    """A URL configuration with a new page and a new API action beside the project's."""

    @property
    def urlpatterns(self) -> list[Any]:
        from rest_framework import viewsets
        from rest_framework.routers import SimpleRouter

        from xingping_tracker.urls import urlpatterns

        class NewViewSet(viewsets.ViewSet):
            def list(self, request):  # pragma: no cover - never called
                raise AssertionError

        router = SimpleRouter()
        router.register("new-things", NewViewSet, basename="new-thing")
        return [*urlpatterns, path("new-page/", _new_page, name="new_page"), path("api/", include((router.urls, "api2")))]


def test_a_route_added_without_a_matrix_row_fails_the_coverage_test(settings, access_world):
    settings.ROOT_URLCONF = _WithNewRoutes()
    clear_url_caches()
    try:
        assert missing_routes() == [("api2:new-thing-list", "GET"), "new_page"]
    finally:
        clear_url_caches()


def _client(world, actor: str) -> Client:
    client = Client()
    if actor != "anonymous":
        client.force_login(getattr(world, WORLD_USER[actor]))
    return client


def build_signed_in_world() -> tuple[Any, dict[str, Any]]:
    """The access world and each actor's session cookie (None for the anonymous visitor)."""
    world = build_access_world()
    sessions = {actor: _client(world, actor).cookies.get(settings.SESSION_COOKIE_NAME) for actor in ACTORS}
    return world, sessions


# ``access_world``: (world, sessions), built and signed in once per module (xingping_tracker.tests.sharing).
_module_access_world, access_world = module_fixtures(build_signed_in_world, name="access_world")


def _signed_in(sessions: dict[str, Any], actor: str) -> Client:
    """A fresh client carrying ``actor``'s session (a route may log out or rotate it: the next
    call must not inherit that)."""
    client = Client()
    cookie = sessions[actor]
    if cookie is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = cookie.value
    return client


def statuses(route: tuple[str, str], signed_in_world: tuple[Any, dict[str, Any]]) -> dict[str, int]:
    world, sessions = signed_in_world
    found = {}
    for actor in ACTORS:
        with transaction.atomic():
            call = CALLS[route](world)
            client = _signed_in(sessions, actor)
            kwargs: dict[str, Any] = dict(call.headers)
            if call.content_type is not None:
                kwargs["content_type"] = call.content_type
            if call.method == "get":
                response = client.get(call.url, **call.headers)
            else:
                response = getattr(client, call.method)(call.url, call.data, **kwargs)
            found[actor] = response.status_code
            transaction.set_rollback(True)
    return found


@pytest.mark.parametrize("route", list(CALLS), ids=[f"{name} {method}" for name, method in CALLS])
def test_permission_matrix(route, access_world):
    found = statuses(route, access_world)
    assert found == dict(zip(ACTORS, MATRIX[route], strict=True)), f"{route}: {tuple(found.values())}"


@pytest.mark.parametrize("actor", ACTORS)
def test_the_admin_is_for_staff_only(actor, access_world):
    """The admin is outside the matrix: Django's staff check guards it, and no role of the world is staff."""
    response = _signed_in(access_world[1], actor).get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
