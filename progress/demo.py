"""Demonstration accounts and reports for a first run, and their removal.

``manage.py bootstrap`` (``make run``) creates them on a new database, ``manage.py demo_data``
creates them on demand and ``manage.py demo_data --remove`` removes them again.

- **Accounts** (``DEMO_ACCOUNTS``): a reporter of 市工信局 (lead unit of 18 tasks of the 兴平
  plan), a reporter of 市工业园区 (supporting unit on ten of them), the plan office (group 规划科)
  and leadership (group 市领导). Each is marked by ``last_name == DEMO_MARKER``. The plan office
  account has no unit on purpose: a ``Membership`` in 市发改局 would make it 市发改局's reporter
  as well, able to write and submit the reports it then reviews.
- **Periods**: the plan's review periods are generated from its cadence (real configuration:
  they stay when the demo is removed); the current one is opened.
- **Reports** (``is_demo=True``): 市工信局's reports on its 18 tasks for the period before the
  current one, and one contribution of 市工业园区, written through the services with that period
  temporarily open (so events and row history are real), reviewed by the demo plan office, then
  the period is closed. 市招商局, supporting task 71, stays silent.

Removal deletes the demo reports and everything the demo accounts wrote (their reports, events,
target actuals, evidence files, extension requests), then the demo accounts; nothing else.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from access.roles import LEADERSHIP_GROUP, PLAN_OFFICE_GROUP
from departments.models import Membership, MembershipRole
from progress.management.commands.create_accounts import (
    AccountSpec,
    CreatedAccount,
    create_accounts_from_specs,
)
from progress.models import (
    ActualState,
    Evidence,
    ExtensionRequest,
    ExtensionStatus,
    PeriodStatus,
    ProgressReport,
    ProgressStatus,
    ReportEvent,
    ReportEventType,
    ReviewPeriod,
    TargetActual,
    TaskEvent,
    TaskProgress,
    TaskStatus,
)
from progress.services import evidence as evidence_service
from progress.services import periods as period_service
from progress.services import reports as report_service
from tasks.models import AssignmentRole, Plan, Task
from tasks.selectors import filter_tasks_by_unit
from xingping_tracker.core.changes import PROGRESS, UNITS, announce

DEMO_MARKER = "（演示）"

LEAD_UNIT = "市工信局"
SUPPORTING_UNIT = "市工业园区"
SILENT_UNIT = "市招商局"

GONGXIN = "demo_gongxin"
YUANQU = "demo_yuanqu"
GUIHUA = "demo_guihua"
LINGDAO = "demo_lingdao"

DEMO_ACCOUNTS: list[AccountSpec] = [
    AccountSpec(
        username=GONGXIN,
        role=f"演示：{LEAD_UNIT}填报员（牵头单位，填报并报送本单位任务进展）",
        first_name=f"{LEAD_UNIT}填报员",
        last_name=DEMO_MARKER,
        department=LEAD_UNIT,
        unit_role=MembershipRole.REPORTER,
    ),
    AccountSpec(
        username=YUANQU,
        role=f"演示：{SUPPORTING_UNIT}填报员（配合单位，填写配合情况）",
        first_name=f"{SUPPORTING_UNIT}填报员",
        last_name=DEMO_MARKER,
        department=SUPPORTING_UNIT,
        unit_role=MembershipRole.REPORTER,
    ),
    AccountSpec(
        username=GUIHUA,
        role="演示：规划科（市发改局规划科，审核报告、开放和关闭填报期）",
        first_name="规划科",
        last_name=DEMO_MARKER,
        is_staff=True,
        groups=(PLAN_OFFICE_GROUP,),
    ),
    AccountSpec(
        username=LINGDAO,
        role="演示：市领导（查看全部，只读）",
        first_name="市领导",
        last_name=DEMO_MARKER,
        groups=(LEADERSHIP_GROUP,),
    ),
]
DEMO_USERNAMES = [spec.username for spec in DEMO_ACCOUNTS]


def demo_account_specs() -> list[AccountSpec]:
    return list(DEMO_ACCOUNTS)


def demo_users() -> QuerySet[Any]:
    """The demo accounts: the demo user names carrying the demo marker (a real ``demo_x`` user is not one)."""
    return get_user_model().objects.filter(username__in=DEMO_USERNAMES, last_name=DEMO_MARKER)


# --- what the demo reports say ----------------------------------------------------------------

ACCEPT = "accept"
RETURN = "return"
SUBMIT = "submit"
DRAFT = "draft"
RESUBMIT_ACCEPT = "resubmit_accept"  # returned, revised, resubmitted and accepted


@dataclass(frozen=True)
class DemoReport:
    task_number: int
    outcome: str
    progress_status: str
    percent: int | None
    progress_text: str
    problems_text: str
    next_steps_text: str
    # One value per target of the task, in target order; None: the statistics are not released yet.
    actuals: tuple[Decimal | None, ...] = ()
    review_comment: str = ""
    revised_progress_text: str = ""  # the text after a return (RESUBMIT_ACCEPT)


ON, RISK, LATE = ProgressStatus.ON_TRACK, ProgressStatus.AT_RISK, ProgressStatus.DELAYED

LEAD_REPORTS: list[DemoReport] = [
    DemoReport(
        6, ACCEPT, ON, 55,
        "上半年新签约智能装备项目3个、总投资12.6亿元；陕柴重工智能化车间改造完成主体工程，"
        "园区工业机器人应用企业增至14家。",
        "智能化改造资金需求大，中小企业改造意愿不足。",
        "下半年组织智能制造诊断服务进企业活动，争取省级智能工厂1家。",
        review_comment="情况清楚，同意。",
    ),
    DemoReport(
        7, ACCEPT, ON, 50,
        "冷链物流园一期建成投用，新增食品物流企业5家；与西安、咸阳3家商超签订直供协议。",
        "冷链仓储用地指标紧张。",
        "推进冷链物流园二期土地报批，培育食品物流龙头企业1家。",
    ),
    DemoReport(
        15, ACCEPT, RISK, None,
        "上半年规模以上工业增加值同比增长7.6%，较一季度提高0.8个百分点。",
        "受化工产品价格下行影响，增速低于年度目标8%。",
        "开展重点企业包抓，推动新投产项目尽快入规，力争全年增速达到8%。",
        actuals=(Decimal("7.6"),),
        review_comment="同意。请下半年重点关注化工行业运行，按月报送增速。",
    ),
    DemoReport(
        19, RETURN, ON, None,
        "规模以上工业企业战略性新兴产业产值占工业总产值比重为17.8%。",
        "部分企业产值分类口径待统计部门确认。",
        "配合统计局完成产值分类核定。",
        actuals=(Decimal("17.8"),),
        review_comment="请补充17.8%的数据来源和统计口径（是否为统计局核定数），修改后重新报送。",
    ),
    DemoReport(
        20, SUBMIT, ON, None,
        "数字经济核心产业统计监测方案已印发，梳理核心产业企业38户；年度增加值数据待统计部门发布。",
        "数字经济核心产业增加值按年度核算，半年无数据。",
        "年底前配合统计部门完成年度核算。",
        actuals=(None,),
    ),
    DemoReport(
        52, ACCEPT, ON, 60,
        "陕柴重工、西航制动企业技术中心通过省级复核；宝塔山公司牵头组建的创新联合体已签订合作协议。",
        "创新联合体运行机制尚不完善。",
        "推动创新联合体申报省级重大科技项目1项。",
    ),
    DemoReport(
        57, ACCEPT, ON, 55,
        "新认定省级“专精特新”中小企业4户、创新型中小企业9户，建立梯度培育库企业62户。",
        "企业申报材料准备能力弱。",
        "下半年举办专精特新申报辅导2场。",
    ),
    DemoReport(
        69, ACCEPT, ON, 60,
        "食品加工产业链上半年实现产值236亿元，新引进粮油精深加工项目2个。",
        "屠宰及肉制品加工企业规模偏小。",
        "推进肉制品精深加工项目建设，力争年底产值达到目标进度。",
        actuals=(Decimal("236"),),
    ),
    DemoReport(
        70, DRAFT, ON, 40,
        "配合高新区整合西吴阜寨区域，梳理传统食品企业27户。",
        "",
        "",
    ),
    DemoReport(
        71, SUBMIT, ON, 55,
        "装备制造产业链上半年实现产值168亿元；航空航天配套企业新增2家。",
        "汽车零部件订单受整车市场波动影响。",
        "推动东阳汽配高端研发项目年内投产。",
        actuals=(Decimal("168"),),
    ),
    DemoReport(
        72, ACCEPT, LATE, 35,
        "航天动力系统工程完成厂房主体；昌安机电重型汽车关键零部件项目设备安装进度滞后约两个月。",
        "进口设备到货延迟，影响投产节点。",
        "协调企业调整安装计划，9月底前完成设备调试。",
        review_comment="同意。请每月报告昌安机电项目设备到货和安装情况。",
    ),
    DemoReport(
        81, ACCEPT, ON, 50,
        "延长兴化完成新一轮技术改造一期，高品质合成橡胶项目开展前期论证。",
        "化工项目环评审批周期长。",
        "加快合成橡胶项目环评、安评手续办理。",
    ),
    DemoReport(
        84, RETURN, ON, None,
        "新型建材纺织产业上半年产值38.5亿元。",
        "部分企业设备老旧。",
        "继续推进转型升级。",
        actuals=(Decimal("38.5"),),
        review_comment="下步打算过于笼统，请写明拟推进的具体项目、责任企业和完成时间，修改后重新报送。",
    ),
    DemoReport(
        85, ACCEPT, RISK, 30,
        "合金复合材料项目完成备案；氢能项目仍在洽谈。",
        "新能源项目落地用地、用能指标不足。",
        "积极争取省市用能指标，推动氢能项目年内签约。",
    ),
    DemoReport(
        87, ACCEPT, ON, 50,
        "市区新增5G基站126个，城区主要道路光纤宽带覆盖率达到98%。",
        "老旧小区管线入地协调难度大。",
        "会同住建部门推进老旧小区通信管线改造。",
    ),
    DemoReport(
        102, RESUBMIT_ACCEPT, ON, 88,
        "累计建成5G基站2650个。",
        "镇村基站选址协调难。",
        "年底前累计建成5G基站3000个，实现全覆盖。",
        actuals=(Decimal("2650"),),
        review_comment="5G基站数与通信管理部门通报口径不一致，请核实后重新报送。",
        revised_progress_text="经与三家运营商核对，截至6月底累计建成5G基站2650个（含共享基站），与通信管理部门通报数一致。",
    ),
    DemoReport(
        103, ACCEPT, ON, 45,
        "延长兴化数据采集互联体系建成运行，工业互联网试点企业增至6家。",
        "中小企业上云成本高。",
        "组织“企业上云”对接会，新增上云企业20户。",
    ),
    DemoReport(
        116, ACCEPT, ON, 50,
        "“光网乡村”工程覆盖行政村182个，城市百兆光纤工程完成年度计划的55%。",
        "偏远村组建设成本高。",
        "推进剩余行政村光网覆盖。",
    ),
]

CONTRIBUTION = DemoReport(
    71, SUBMIT, ON, None,
    "园区为航空航天、汽车零部件项目落地提供标准化厂房4.2万平方米，协助企业办理施工许可3项。",
    "园区污水处理设施扩容尚未完成。",
    "年底前完成污水处理厂扩容，保障新入园项目投产。",
)

DEMO_EVIDENCE_NAME = "5G基站建设统计表（演示）.pdf"
_DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 100]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


# --- creating -------------------------------------------------------------------------------


@dataclass
class DemoSummary:
    accounts: list[CreatedAccount] = field(default_factory=list)
    periods_created: int = 0
    opened_period: str = ""
    past_period: str = ""
    reports_created: int = 0
    skipped_reason: str = ""

    def lines(self) -> list[str]:
        out = []
        if self.periods_created:
            out.append(f"已按督查节奏生成填报期 {self.periods_created} 个。")
        if self.reports_created:
            out.append(f"已在“{self.past_period}”写入演示报告 {self.reports_created} 份（已关闭该期）。")
        if self.opened_period:
            out.append(f"已开放本期填报：“{self.opened_period}”。")
        if self.skipped_reason:
            out.append(self.skipped_reason)
        return out


def current_period(periods: list[ReviewPeriod], today: dt.date) -> ReviewPeriod | None:
    """The period containing ``today``; past the plan's end, its last period; before its start, the first."""
    for period in periods:
        if period.starts_on <= today <= period.ends_on:
            return period
    if not periods:
        return None
    return periods[-1] if today > periods[-1].ends_on else periods[0]


def demo_plan() -> Plan | None:
    """The plan whose tasks 市工信局 leads (the imported 兴平 plan), newest first."""
    lead_tasks = filter_tasks_by_unit(Task.objects.all(), department=_unit_id(LEAD_UNIT), role=AssignmentRole.LEAD)
    plan_id = lead_tasks.order_by("-plan__issued_on", "-plan_id").values_list("plan_id", flat=True).first()
    return Plan.objects.filter(pk=plan_id).first() if plan_id else None


def _unit_id(name: str) -> int:
    from departments.models import Department

    return Department.objects.filter(name=name).values_list("pk", flat=True).first() or 0


def ensure_demo_accounts() -> list[CreatedAccount]:
    """Create the demo accounts that do not exist yet (passwords generated, returned to be printed once)."""
    existing = set(get_user_model().objects.filter(username__in=DEMO_USERNAMES).values_list("username", flat=True))
    return create_accounts_from_specs(specs=[spec for spec in DEMO_ACCOUNTS if spec.username not in existing])


def create_demo_data(*, today: dt.date | None = None) -> DemoSummary:
    """Periods (generated; the current one opened) and the demo reports; the demo accounts must exist.

    Idempotent: with demo reports present, no report is written again.
    """
    today = today or timezone.localdate()
    summary = DemoSummary()
    users = {user.username: user for user in demo_users()}
    missing = [name for name in DEMO_USERNAMES if name not in users]
    if missing:
        summary.skipped_reason = f"缺少演示账号 {'、'.join(missing)}，未写入演示报告。"
        return summary
    plan = demo_plan()
    if plan is None:
        summary.skipped_reason = f"没有由{LEAD_UNIT}牵头任务的方案，未写入演示报告；请先导入兴平市任务分工方案。"
        return summary
    office = users[GUIHUA]
    summary.periods_created = len(period_service.generate_periods(plan=plan))
    periods = list(ReviewPeriod.objects.filter(plan=plan).order_by("starts_on"))
    current = current_period(periods, today)
    past = periods[periods.index(current) - 1] if current is not None and periods.index(current) > 0 else None
    if ProgressReport.objects.filter(is_demo=True).exists():
        summary.skipped_reason = "已有演示报告，未重复写入。"
    elif past is None:
        summary.skipped_reason = "本期之前没有填报期，未写入演示报告。"
    else:
        summary.past_period = past.name
        summary.reports_created = _write_past_period(past, users=users, office=office)
    if current is not None and not ReviewPeriod.objects.filter(plan=plan, status=PeriodStatus.OPEN).exists():
        current = period_service.open_period(period=current, user=office)
        summary.opened_period = current.name
    return summary


def _write_past_period(period: ReviewPeriod, *, users: dict[str, Any], office: Any) -> int:
    was_open = period.status == PeriodStatus.OPEN
    if not was_open:
        period = period_service.open_period(period=period, user=office)
    written = 0
    lead_unit, supporting_unit = _unit_id(LEAD_UNIT), _unit_id(SUPPORTING_UNIT)
    tasks = {task.number: task for task in Task.objects.filter(plan=period.plan).prefetch_related("targets")}
    taken = set(
        ProgressReport.objects.filter(period=period).values_list("task__number", "department_id")
    )  # a unit's own report for the period is never replaced by a demo one
    for spec in LEAD_REPORTS:
        task = tasks.get(spec.task_number)
        if task is not None and (spec.task_number, lead_unit) not in taken:
            written += _write_report(spec, task=task, unit_id=lead_unit, period=period, clerk=users[GONGXIN], office=office)
    task = tasks.get(CONTRIBUTION.task_number)
    if task is not None and (CONTRIBUTION.task_number, supporting_unit) not in taken:
        written += _write_report(
            CONTRIBUTION, task=task, unit_id=supporting_unit, period=period, clerk=users[YUANQU], office=office
        )
    if not was_open:
        period_service.close_period(period=period, user=office)
    return written


def _write_report(spec: DemoReport, *, task: Task, unit_id: int, period: ReviewPeriod, clerk: Any, office: Any) -> int:
    from access.units import unit_role_on_task

    if unit_role_on_task(department_id=unit_id, task=task) is None:
        return 0  # the plan was edited: the unit no longer works on this task
    with transaction.atomic():
        announce(PROGRESS)
        report = report_service.start_report(task=task, department_id=unit_id, period=period, user=clerk)
        ProgressReport.objects.filter(pk=report.pk).update(is_demo=True)
        targets = list(task.targets.all())
        actuals = [
            report_service.ActualInput(
                target_id=target.pk,
                state=ActualState.REPORTED if value is not None else ActualState.NOT_RELEASED,
                value=value,
                data_date=period.ends_on if value is not None else None,
            )
            for target, value in zip(targets, _padded(spec.actuals, len(targets)), strict=True)
        ]
        data = report_service.ReportInput(
            progress_status=spec.progress_status,
            percent=spec.percent,
            progress_text=spec.progress_text,
            problems_text=spec.problems_text,
            next_steps_text=spec.next_steps_text,
            actuals=actuals if report.role == AssignmentRole.LEAD else None,
        )
        report = report_service.save_report(report_id=report.pk, user=clerk, expected_version=report.version, data=data)
        if spec.outcome == DRAFT:
            return 1
        if spec.outcome == RESUBMIT_ACCEPT:
            evidence_service.add_evidence(
                report_id=report.pk,
                user=clerk,
                upload=SimpleUploadedFile(DEMO_EVIDENCE_NAME, _DEMO_PDF, content_type="application/pdf"),
            )
        report_service.submit_report(report_id=report.pk, user=clerk)
        if spec.outcome == ACCEPT:
            report_service.accept_report(report_id=report.pk, user=office, comment=spec.review_comment)
        elif spec.outcome == RETURN:
            report_service.return_report(report_id=report.pk, user=office, comment=spec.review_comment)
        elif spec.outcome == RESUBMIT_ACCEPT:
            report = report_service.return_report(report_id=report.pk, user=office, comment=spec.review_comment)
            revised = dataclasses.replace(data, progress_text=spec.revised_progress_text or spec.progress_text)
            report = report_service.save_report(
                report_id=report.pk, user=clerk, expected_version=report.version, data=revised
            )
            report_service.submit_report(report_id=report.pk, user=clerk)
            report_service.accept_report(report_id=report.pk, user=office, comment="核实无误，同意。")
    return 1


def _padded(values: tuple[Decimal | None, ...], length: int) -> list[Decimal | None]:
    return [values[i] if i < len(values) else None for i in range(length)]


# --- removing -------------------------------------------------------------------------------


@dataclass
class RemovalSummary:
    reports: int = 0
    events: int = 0
    actuals: int = 0
    evidence_files: int = 0
    task_events: int = 0
    extension_requests: int = 0
    tasks_reopened: int = 0
    accounts: list[str] = field(default_factory=list)

    @property
    def nothing(self) -> bool:
        return not (self.reports or self.task_events or self.extension_requests or self.accounts)

    def lines(self) -> list[str]:
        if self.nothing:
            return ["没有演示数据，未删除任何内容。"]
        lines = [
            f"演示报告 {self.reports} 份（含报告事件 {self.events} 条、目标实际值 {self.actuals} 条、"
            f"佐证材料文件 {self.evidence_files} 个）",
        ]
        if self.task_events or self.extension_requests or self.tasks_reopened:
            lines.append(
                f"演示账号的任务事件 {self.task_events} 条、延期申请 {self.extension_requests} 份，"
                f"恢复依据演示报告办结的任务 {self.tasks_reopened} 项"
            )
        lines.append(f"演示账号 {len(self.accounts)} 个：{'、'.join(self.accounts) or '无'}")
        return lines


def demo_reports() -> QuerySet[ProgressReport]:
    """The demo reports: marked ``is_demo``, or started by a demo account (a newcomer's walk-through)."""
    started_by_demo = ReportEvent.objects.filter(type=ReportEventType.CREATED, actor__in=demo_users()).values(
        "report_id"
    )
    return ProgressReport.objects.filter(Q(is_demo=True) | Q(pk__in=started_by_demo))


@transaction.atomic
def remove_demo_data() -> RemovalSummary:
    """Delete the demo reports and what the demo accounts did, then the accounts (idempotent)."""
    announce(PROGRESS, UNITS)
    summary = RemovalSummary()
    users = demo_users()
    user_ids = list(users.values_list("pk", flat=True))
    report_ids = list(demo_reports().values_list("pk", flat=True))

    # Tasks closed on a demo report, or by a demo account, go back to open.
    closed = TaskProgress.objects.filter(
        Q(completion_report_id__in=report_ids) | Q(completed_by_id__in=user_ids), status=TaskStatus.COMPLETED
    )
    summary.tasks_reopened = closed.update(status=TaskStatus.OPEN, completed_at=None, completed_by=None)
    TaskProgress.objects.filter(completion_report_id__in=report_ids).update(completion_report=None)

    # Extension requests a demo account made or decided; the effective deadline follows the remaining ones.
    requests = ExtensionRequest.objects.filter(Q(requested_by_id__in=user_ids) | Q(decided_by_id__in=user_ids))
    request_ids = list(requests.values_list("pk", flat=True))
    touched_tasks = set(requests.filter(status=ExtensionStatus.APPROVED).values_list("task_id", flat=True))
    summary.extension_requests = len(request_ids)
    requests.delete()
    ExtensionRequest.history.filter(id__in=request_ids).delete()
    for progress in TaskProgress.objects.filter(task_id__in=touched_tasks):
        latest = (
            ExtensionRequest.objects.filter(task_id=progress.task_id, status=ExtensionStatus.APPROVED)
            .order_by("-decided_at", "-pk")
            .values_list("requested_deadline", flat=True)
            .first()
        )
        progress.extended_deadline = latest
        progress.save(update_fields=["extended_deadline"])
    summary.task_events = TaskEvent.objects.filter(actor_id__in=user_ids).delete()[0]

    # The reports, with their events, actuals, evidence (files after commit) and row history.
    files = list(Evidence.objects.filter(report_id__in=report_ids).values_list("file", flat=True))
    summary.events = ReportEvent.objects.filter(report_id__in=report_ids).count()
    summary.actuals = TargetActual.objects.filter(report_id__in=report_ids).count()
    actual_ids = list(TargetActual.objects.filter(report_id__in=report_ids).values_list("pk", flat=True))
    ProgressReport.objects.filter(prefilled_from_id__in=report_ids).exclude(pk__in=report_ids).update(
        prefilled_from=None
    )
    summary.reports = len(report_ids)
    ProgressReport.objects.filter(pk__in=report_ids).delete()
    ProgressReport.history.filter(id__in=report_ids).delete()
    TargetActual.history.filter(id__in=actual_ids).delete()
    summary.evidence_files = len(files)
    storage = Evidence._meta.get_field("file").storage
    transaction.on_commit(lambda: [storage.delete(name) for name in files])

    # The accounts (their memberships cascade; the membership history goes too).
    summary.accounts = sorted(users.values_list("username", flat=True))
    users.delete()
    Membership.history.filter(user_id__in=user_ids).delete()
    return summary
