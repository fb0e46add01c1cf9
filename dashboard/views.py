"""The leadership dashboard (领导看板) and its click-through task list.

For the plan office and leadership only (:func:`access.rules.board.check_can_view_board`): anyone
else signed in gets a Chinese refusal page (403); anonymous visitors go to the login page. Views
parse input, call one selector and render; every number comes from :mod:`dashboard.selectors`.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any
from urllib.parse import quote_plus, urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from access.actor import actor_for
from access.rules import check_can_view_board
from dashboard.selectors.cached import dashboard_overview
from dashboard.selectors.periods import default_period
from dashboard.selectors.tasks import (
    LIGHT_CHOICES,
    REPORT_CHOICES,
    REPORT_DELIVERED,
    REPORT_LATE,
    REPORT_NOT_SUBMITTED,
    REPORT_ON_TIME,
    REPORT_OVERDUE,
    STATUS_CHOICES,
    TaskFilters,
    lead_problems,
    task_listing,
)
from progress.models import PeriodStatus, ProgressStatus, ReviewPeriod
from progress.states import CLAIMED_LABEL, CONFIRMED_LABEL, LIGHT_LABELS, LIGHT_RULES, LIGHTS, RED, YELLOW
from tasks.models import Task
from xingping_tracker.core.exceptions import ApplicationError
from xingping_tracker.core.widgets import FastSelect

REFUSAL = "领导看板仅供规划科和市领导查看。如需查看本单位任务，请使用“本期待填报”。"


def _refused(request: HttpRequest, message: str, *, status: int) -> HttpResponse:
    return render(request, "dashboard/refused.html", {"message": message}, status=status)


def _allowed(request: HttpRequest) -> bool:
    try:
        check_can_view_board(actor_for(request.user))
    except ApplicationError:
        return False
    return True


def _allowed_period(request: HttpRequest) -> tuple[ReviewPeriod | None, HttpResponse | None]:
    """The period the page shows, or the refusal page to answer with instead (403 for a user who
    may not see the dashboard, 404 for an unknown ``?period=``, 200 when there is no period yet)."""
    if not _allowed(request):
        return None, _refused(request, REFUSAL, status=403)
    period, problem = _period(request)
    if period is None:
        return None, _refused(request, problem, status=404 if request.GET.get("period") else 200)
    return period, None


def _period(request: HttpRequest) -> tuple[ReviewPeriod | None, str]:
    """The ``?period=`` asked for (default: the latest open period, else the latest one that has
    started), or None with a Chinese reason."""
    raw = request.GET.get("period", "").strip()
    if raw:
        if not raw.isdigit():
            return None, "填报期编号应为数字，请从页面上的填报期列表中选择。"
        period = ReviewPeriod.objects.select_related("plan").filter(pk=int(raw)).first()
        if period is None:
            return None, "找不到该填报期，请从页面上的填报期列表中选择。"
        return period, ""
    period = default_period()
    if period is None:
        return None, "还没有开放过填报期：请规划科先在“填报期”中开放一期。"
    return period, ""


def _plan_periods(period: ReviewPeriod) -> list[ReviewPeriod]:
    return list(
        ReviewPeriod.objects.filter(plan_id=period.plan_id)
        .exclude(status=PeriodStatus.PLANNED)
        .order_by("starts_on", "pk")
        .only("pk", "name", "status", "starts_on", "plan_id")
    )


class _Links:
    """Links to the click-through list for one period (``count`` is what the link stands for)."""

    def __init__(self, period: ReviewPeriod, *, on: dt.date | None = None):
        self.base = reverse("dashboard:tasks")
        self.fixed: dict[str, Any] = {"period": period.pk}
        if on is not None:
            self.fixed["on"] = on.isoformat()

        self.prefix = f"{self.base}?{urlencode(self.fixed)}"

    def __call__(self, **params: Any) -> str:
        # What urlencode({**fixed, **params}) gives, without quoting what quoting leaves as it is
        # (ids, keys, choice values: a page has over a thousand links).
        parts = [self.prefix]
        for key, value in params.items():
            if value in (None, "", False):
                continue
            if key in self.fixed:
                query = {**self.fixed, **{k: v for k, v in params.items() if v not in (None, "", False)}}
                return f"{self.base}?{urlencode(query)}"
            text = str(value)
            parts.append(f"&{_plain(key)}={_plain(text)}")
        return "".join(parts)


_UNQUOTED = re.compile(r"[A-Za-z0-9_.\-]+\Z")  # what quote_plus leaves unchanged (but "~")


def _plain(text: str) -> str:
    """``quote_plus(text)``, without the call when nothing in it needs quoting."""
    return text if _UNQUOTED.match(text) else quote_plus(text)


def escape(value: Any) -> str:
    """Django's ``escape`` for the rows built below, without its lazy-string wrapper (called about
    1,500 times a page): the same characters escaped, as a plain string that is marked safe once."""
    return html.escape(str(value))


def _chart_data(overview: Any, links: _Links) -> dict[str, Any]:
    """What the charts draw (the same numbers as the tables), with each bar's link."""
    return {
        "lights": [
            {
                "key": light,
                "name": LIGHT_LABELS[light],
                "value": overview.light_counts[light],
                "url": links(light=light),
            }
            for light in LIGHTS
        ],
        "statuses": [
            {"key": s.key, "name": _status_label(s), "value": s.count, "url": links(status=s.key)}
            for s in overview.status_counts
        ],
        "chapters": [
            {
                "name": c.heading,
                "rate": c.rate,
                "total": c.total,
                "completed": c.completed,
                "url": links(section=c.section_id),
            }
            for c in overview.chapters
        ],
        "trend": [
            {
                "name": p.name,
                "completion_rate": p.completion_rate,
                "submitted_rate": p.submitted_rate,
                "red": p.red,
                "yellow": p.yellow,
            }
            for p in overview.trend
            if p.opened
        ],
    }


def _status_label(count: Any) -> str:
    """The status distribution's label (its 已完成 is the units' claim, said so)."""
    return CLAIMED_LABEL if count.key == ProgressStatus.COMPLETED else count.label


# Read-only: outside ATOMIC_REQUESTS, so that the cached overview may be used (dashboard.selectors.cached).
@transaction.non_atomic_requests
@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    period, refusal = _allowed_period(request)
    if refusal is not None:
        return refusal
    overview = dashboard_overview(period, attention=ATTENTION_SHOWN)
    links = _Links(period)
    periods = _plan_periods(period)
    by_id = {p.pk: p for p in periods}
    trend = [
        _trend_row(point, by_id.get(point.period_id, period), selected=period)
        for point in overview.trend
        if point.period_id in by_id or point.period_id == period.pk
    ]
    attention_ids = [s.task_id for s in overview.attention[:ATTENTION_SHOWN]]
    texts = dict(Task.objects.filter(pk__in=attention_ids).values_list("pk", "text")) if attention_ids else {}
    head, _, tail = reverse("progress:task_detail", args=[2147483647]).partition("2147483647")
    shown = overview.attention[:ATTENTION_SHOWN]
    problems = lead_problems(period, shown, names=overview.units)
    attention = [
        {
            "state": s,
            "text": texts.get(s.task_id, ""),
            "url": f"{head}{s.task_id}{tail}",
            "units": "、".join(overview.unit_names(s.lead_unit_ids)) or "未落实",
            "problems": problems.get(s.task_id, []),
        }
        for s in shown
    ]
    binding = [
        {
            "row": b,
            "url": f"{head}{b.task_id}{tail}",
            "units": "、".join(overview.unit_names(b.lead_unit_ids)) or "未落实",
        }
        for b in overview.binding
    ]
    return render(
        request,
        "dashboard/home.html",
        {
            "overview": overview,
            "period": period,
            "periods": periods,
            "links": links,
            "rules": [(light, LIGHT_LABELS[light], text) for light, text in LIGHT_RULES],
            "light_links": [(light, label, count, links(light=light)) for light, label, count in overview.light_items],
            "status_links": [(s, _status_label(s), links(status=s.key)) for s in overview.status_counts],
            "claimed_url": links(status=ProgressStatus.COMPLETED),
            "confirmed_label": CONFIRMED_LABEL,
            "claimed_label": CLAIMED_LABEL,
            "chapter_rows_html": _section_rows_html(overview.chapters, links),
            "unit_rows_html": _unit_rows_html(overview, links),
            "binding_rows_html": _binding_rows_html(binding),
            "attention": attention,
            "attention_more": max(0, overview.attention_total - ATTENTION_SHOWN),
            "attention_url": links(attention=1),
            "trend": trend,
            "total_url": links(),
            "red_url": links(light=RED),
            "yellow_url": links(light=YELLOW),
            "completed_url": links(completed=1),
            "submitted_url": links(report=REPORT_DELIVERED),
            "overdue_url": links(overdue=1),
            "late_url": links(report=REPORT_OVERDUE),
            "binding_url": links(binding=1),
            "chart_data": _chart_data(overview, links),
        },
    )


ATTENTION_SHOWN = 30


def _trend_row(point: Any, period: ReviewPeriod, *, selected: ReviewPeriod) -> dict[str, Any]:
    """A trend point with its links: an earlier period's list is read as of the point's day. A
    period never opened has no links (it is shown as such)."""
    if not point.opened:
        return {"point": point}
    links = _Links(period, on=None if period.pk == selected.pk else point.as_of)
    return {
        "point": point,
        "total_url": links(),
        "completed_url": links(completed=1),
        "submitted_url": links(report=REPORT_DELIVERED),
        "red_url": links(light=RED),
        "yellow_url": links(light=YELLOW),
    }


# The three long tables (every section, every lead unit, every binding target: hundreds of rows and
# links on a big plan) are built here rather than in the template, which spent about 300 ms on them
# for the synthetic plan. Every value shown is escaped.


def _num(count: int, url: str, *, warn: str = "", attr: str = "count") -> str:
    css = f"num is-{warn}" if warn and count else "num"
    return f'<a class="{css}" data-{attr}="{count}" href="{escape(url)}">{count}</a>'


def _section_rows_html(chapters: list[Any], links: _Links) -> SafeString:
    rows: list[str] = []

    def walk(row: Any) -> None:
        section = row.section_id
        rows.append(
            f'<tr class="level-{row.level}"><th scope="row">{escape(row.heading)}</th>'
            f"<td>{_num(row.red, links(section=section, light=RED), warn='red')}</td>"
            f"<td>{_num(row.yellow, links(section=section, light=YELLOW), warn='yellow')}</td>"
            f"<td>{_num(row.total, links(section=section))}</td>"
            f"<td>{_num(row.completed, links(section=section, completed=1))}</td>"
            f'<td><span class="bar" style="--rate: {row.rate}%">{row.rate}%</span></td></tr>'
        )
        for child in row.children:
            walk(child)

    for chapter in chapters:
        walk(chapter)
    if not rows:
        rows.append('<tr><td colspan="6" class="muted">本方案没有章节。</td></tr>')
    return mark_safe("\n".join(rows))  # noqa: S308 - built from escaped values


def _unit_rows_html(overview: Any, links: _Links) -> SafeString:
    rows = []
    for u in overview.lead_units:
        unit = u.unit_id
        late_warn = "red" if overview.past_due else ""
        # The link counts tasks (the list it opens); the unit×task pairs beside it, as text.
        silent = f'<span class="small muted" data-silent="{u.silent}">（{u.silent}人次）</span>' if u.silent else ""
        rows.append(
            f'<tr><th scope="row">{escape(u.name)}</th>'
            f"<td>{_num(u.red, links(unit=unit, light=RED), warn='red')}</td>"
            f"<td>{_num(u.yellow, links(unit=unit, light=YELLOW), warn='yellow')}</td>"
            f"<td>{_num(u.tasks, links(unit=unit))}</td>"
            f"<td>{_num(u.on_time, links(unit=unit, report=REPORT_ON_TIME))}</td>"
            f"<td>{_num(u.late, links(unit=unit, report=REPORT_LATE), warn='yellow')}</td>"
            f"<td>{_num(u.not_submitted, links(unit=unit, report=REPORT_NOT_SUBMITTED), warn=late_warn)}</td>"
            f"<td>{_num(u.completed, links(unit=unit, completed=1))}</td>"
            f"<td>{_num(u.silent_tasks, links(unit=unit, silent=1), warn='yellow')}{silent}</td></tr>"
        )
    if not rows:
        rows.append('<tr><td colspan="9" class="muted">本方案的任务还没有明确的牵头单位。</td></tr>')
    return mark_safe("\n".join(rows))  # noqa: S308 - built from escaped values


def _binding_rows_html(binding: list[dict[str, Any]]) -> SafeString:
    rows = []
    target_url = reverse("indicators:target_list")  # each target's page is /indicators/<id>/
    for item in binding:
        b = item["row"]
        risk = f'<strong class="error">有风险</strong>：{escape(b.veto_reason)}' if b.veto_risk else "无"
        period = f' <span class="muted">（{escape(b.actual_period)}）</span>' if b.actual_period else ""
        risk_class = ' class="is-risk"' if b.veto_risk else ""
        rows.append(
            f"<tr{risk_class}>"
            f'<td data-label="任务"><a href="{escape(item["url"])}">{b.number}</a> '
            f'<span class="light-badge light-{b.light}">{LIGHT_LABELS[b.light]}</span></td>'
            f'<td data-label="指标"><a href="{target_url}{b.target_id}/">{escape(b.indicator)}</a></td>'
            f'<td data-label="目标">{escape(b.target_text)}</td>'
            f'<td data-label="最新实际值">{escape(b.actual_text)}{period}</td>'
            f'<td data-label="数据截至">{b.data_date.isoformat() if b.data_date else "—"}</td>'
            f'<td data-label="责任单位">{escape(item["units"])}</td>'
            f'<td data-label="一票否优风险">{risk}</td></tr>'
        )
    if not rows:
        rows.append('<tr><td colspan="7" class="muted">本方案没有约束性指标。</td></tr>')
    return mark_safe("\n".join(rows))  # noqa: S308 - built from escaped values


# --- the click-through list ------------------------------------------------------------------


class TaskFilterForm(forms.Form):
    # The selects render in Python (FastSelect): the plan's sections and units are hundreds of options.
    light = forms.ChoiceField(
        label="红黄绿灯", required=False, choices=[("", "全部"), *LIGHT_CHOICES], widget=FastSelect
    )
    status = forms.ChoiceField(
        label="推进状态", required=False, choices=[("", "全部"), *STATUS_CHOICES], widget=FastSelect
    )
    report = forms.ChoiceField(
        label="报送情况", required=False, choices=[("", "全部"), *REPORT_CHOICES], widget=FastSelect
    )
    section = forms.TypedChoiceField(
        label="章节", required=False, coerce=int, empty_value=None, choices=[], widget=FastSelect
    )
    unit = forms.TypedChoiceField(
        label="牵头单位", required=False, coerce=int, empty_value=None, choices=[], widget=FastSelect
    )
    completed = forms.ChoiceField(
        label=CONFIRMED_LABEL, required=False, choices=[("", "全部"), ("1", "是"), ("0", "否")], widget=FastSelect
    )
    overdue = forms.BooleanField(label="只看逾期未完成", required=False)
    binding = forms.BooleanField(label="只看约束性指标", required=False)
    silent = forms.BooleanField(label="只看配合单位未反馈", required=False)
    attention = forms.BooleanField(label="只看红灯和黄灯", required=False)
    on = forms.DateField(label="统计日期", required=False, input_formats=["%Y-%m-%d"])

    def __init__(self, data: Any, *, sections: list[tuple[int, str]], units: list[tuple[int, str]]):
        super().__init__(data)
        self.fields["section"].choices = [("", "全部"), *sections]
        self.fields["unit"].choices = [("", "全部"), *units]
        for name in ("light", "status", "report", "section", "unit", "completed"):
            self.fields[name].error_messages["invalid_choice"] = (
                f"“{self.fields[name].label}”的取值无效，请从列表中选择。"
            )
        self.fields["on"].error_messages["invalid"] = "统计日期应为“年-月-日”格式，如2025-01-11。"

    def filters(self) -> TaskFilters:
        data = self.cleaned_data
        completed = {"1": True, "0": False}.get(data.get("completed") or "")
        return TaskFilters(
            light=data.get("light") or None,
            status=data.get("status") or None,
            section_id=data.get("section"),
            unit_id=data.get("unit"),
            report=data.get("report") or None,
            completed=completed,
            overdue=bool(data.get("overdue")),
            binding=bool(data.get("binding")),
            silent=bool(data.get("silent")),
            attention=bool(data.get("attention")),
        )


def _choices(period: ReviewPeriod) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The filter form's sections (plan order) and lead units (unit order): two light queries."""
    from departments.models import Department
    from tasks.models import Assignment, Section

    sections = [
        (pk, f"{label}{'、' if parent is None else ''}{title}")
        for pk, parent, label, title in Section.objects.filter(plan_id=period.plan_id)
        .order_by("position", "pk")
        .values_list("pk", "parent_id", "label", "title")
    ]
    named = Assignment.objects.filter(task__plan_id=period.plan_id, department__isnull=False).values("department_id")
    units = list(Department.objects.filter(pk__in=named).order_by("sort_order", "name", "pk").values_list("pk", "name"))
    return sections, units


@require_GET
@login_required
def tasks(request: HttpRequest) -> HttpResponse:
    period, refusal = _allowed_period(request)
    if refusal is not None:
        return refusal
    sections, units = _choices(period)
    form = TaskFilterForm(request.GET, sections=sections, units=units)
    context: dict[str, Any] = {"period": period, "form": form, "periods": _plan_periods(period)}
    if not form.is_valid():
        return render(request, "dashboard/tasks.html", context, status=400)
    filters = form.filters()
    on = form.cleaned_data.get("on")
    listing = task_listing(period, filters=filters, page=request.GET.get("page"), today=on or timezone.localdate())
    labels = _filter_labels(form)
    context.update(
        {
            "listing": listing,
            "filters": filters,
            "filter_labels": labels,
            "on": on,
            "dashboard_url": f"{reverse('dashboard:home')}?{urlencode({'period': period.pk})}",
        }
    )
    return render(request, "dashboard/tasks.html", context)


def _filter_labels(form: TaskFilterForm) -> list[str]:
    """The filters in words, for the list's heading ("红黄绿灯：红灯" …)."""
    labels = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if value in (None, "", False):
            continue
        if isinstance(field, forms.BooleanField):
            labels.append(field.label)
        elif isinstance(field, forms.DateField):
            labels.append(f"{field.label}：{value:%Y-%m-%d}")
        else:
            shown = dict((str(k), v) for k, v in field.choices).get(str(value), str(value))
            labels.append(f"{field.label}：{shown}")
    return labels
