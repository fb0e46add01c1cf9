"""The periodic schedule, defined here in code and stored with django-celery-beat (admin › 周期任务).

:func:`set_up_schedule` (``manage.py setup_schedule``, run by ``bootstrap``) creates or updates one
``PeriodicTask`` per job with a ``CrontabSchedule`` in Asia/Shanghai, in one transaction:

- **Idempotent**: a second run writes nothing (so beat is not told to reload for nothing).
- **Code changes win**: the row's description records the time the code asked for when it was last
  set up; when the code's time changes, the row gets the new time.
- **The plan office's changes stay**: a time changed in the admin is kept as long as the code's time
  is unchanged, and ``enabled`` is never touched on an existing row — a job the plan office switched
  off stays off until it is switched on in the admin.
- The task a row runs always follows the code (a row pointing elsewhere is put back).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

TIMEZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class ScheduledJob:
    name: str  # PeriodicTask.name, unique; shown in the admin
    task: str
    purpose: str
    minute: str
    hour: str
    day_of_week: str = "*"
    day_of_month: str = "*"
    month_of_year: str = "*"

    @property
    def crontab_fields(self) -> dict[str, str]:
        return {
            "minute": self.minute, "hour": self.hour, "day_of_week": self.day_of_week,
            "day_of_month": self.day_of_month, "month_of_year": self.month_of_year,
        }

    @property
    def cron(self) -> str:
        return " ".join([self.minute, self.hour, self.day_of_month, self.month_of_year, self.day_of_week])

    @property
    def description(self) -> str:
        return (
            f"{self.purpose}\n"
            f"代码中的默认时间：{self.cron}（分 时 日 月 周，{TIMEZONE}）。"
            "在这里修改的时间和启用状态会保留；代码中的默认时间改变时，setup_schedule 会改用新的时间。"
        )


SCHEDULE: tuple[ScheduledJob, ...] = (
    ScheduledJob(
        name="催办提醒：每日扫描",
        task="reminders.scan",
        purpose="每天 9:00 检查各单位的报送情况，生成到期的催办提醒并发送（非工作日自动跳过）。",
        minute="0",
        hour="9",
    ),
    ScheduledJob(
        name="催办提醒：补发与回收",
        task="reminders.sweep",
        purpose="每 5 分钟补发到时未发出的提醒（免打扰时段结束、等待重试、任务丢失），并接手中断的发送。",
        minute="*/5",
        hour="*",
    ),
    ScheduledJob(
        name="填报期：提前生成下一期",
        task="reminders.roll_over_periods",
        purpose="每天 1:00 检查各方案的填报期，在下一期开始前按填报周期生成（不自动开放）。",
        minute="0",
        hour="1",
    ),
    ScheduledJob(
        name="领导看板：每日重新计算",
        task="dashboard.refresh_overview",
        purpose="每天 0:05 按当天日期重新计算正在填报的各期任务灯色（到期、逾期随日期变化），当天第一位查看看板的领导无需等待。",
        minute="5",
        hour="0",
    ),
)


@dataclass(frozen=True)
class ScheduleChange:
    name: str
    action: str  # "created", "updated", "unchanged"
    detail: str = ""

    def line(self) -> str:
        label = {"created": "已创建", "updated": "已更新", "unchanged": "无变化"}[self.action]
        return f"{label}：{self.name}" + (f"（{self.detail}）" if self.detail else "")


@transaction.atomic
def set_up_schedule(*, jobs: tuple[ScheduledJob, ...] = SCHEDULE) -> list[ScheduleChange]:
    """Create or update the periodic tasks of ``jobs`` (see the module docstring); returns what changed."""
    from django_celery_beat.models import PeriodicTask

    changes = []
    for job in jobs:
        row = PeriodicTask.objects.select_for_update().filter(name=job.name).first()
        if row is None:
            PeriodicTask.objects.create(
                name=job.name, task=job.task, crontab=_crontab(job), kwargs="{}", description=job.description,
                enabled=True,
            )
            changes.append(ScheduleChange(job.name, "created", f"{job.cron}，{TIMEZONE}"))
            continue
        updated: list[str] = []
        if row.task != job.task:
            row.task = job.task
            updated.append(f"任务改为 {job.task}")
        if row.description != job.description:
            # New code time (or a row set up by hand): the code's time replaces the row's.
            crontab = _crontab(job)
            if row.crontab_id != crontab.pk or row.interval_id or row.solar_id or row.clocked_id:
                row.crontab, row.interval, row.solar, row.clocked = crontab, None, None, None
                updated.append(f"时间改为 {job.cron}，{TIMEZONE}")
            row.description = job.description
            updated.append("说明已更新")
        if updated:
            row.save()
            changes.append(ScheduleChange(job.name, "updated", "；".join(updated)))
        else:
            changes.append(ScheduleChange(job.name, "unchanged"))
    return changes


def _crontab(job: ScheduledJob):
    from django_celery_beat.models import CrontabSchedule

    existing = CrontabSchedule.objects.filter(**job.crontab_fields, timezone=TIMEZONE).order_by("pk").first()
    return existing or CrontabSchedule.objects.create(**job.crontab_fields, timezone=TIMEZONE)
