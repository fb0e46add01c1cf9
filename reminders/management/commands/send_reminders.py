"""python manage.py send_reminders [--date YYYY-MM-DD] [--dry-run] — the daily reminder scan.

The same scan as the beat job (reminders.services.scan). ``--dry-run`` prints what it would send
and writes nothing. Without it, the reminders are written and their deliveries handed to the
workers after commit (inline without a broker: sent before the command ends); then the sweep hands
over what was left waiting (quiet hours over, retries due), which in embedded mode has no beat to
do it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from reminders import schedule
from reminders.models import Channel, Delivery, DeliveryStatus, ReminderKind
from reminders.pages import stage_label
from reminders.schedule import DueReminder
from reminders.services.scan import ScanResult, scan


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"日期“{value}”无法识别，请写成 YYYY-MM-DD，例如 2025-01-06。") from exc


def describe(reminder: DueReminder, channels: tuple[str, ...]) -> str:
    """One line: who, which kind and stage, how many tasks, which channels."""
    if reminder.kind == schedule.MEETING:
        who = "市领导"
    elif reminder.kind == schedule.ESCALATION:
        who = f"规划科和{reminder.department_name}的分管领导"
    else:
        who = reminder.department_name
    parts = [f"{who}", f"{ReminderKind(reminder.kind).label}（{stage_label(reminder.stage)}）"]
    if reminder.period_name:
        parts.insert(0, reminder.period_name)
    if reminder.items:
        parts.append(f"{len(reminder.items)}个节点" if reminder.kind == schedule.MILESTONE else f"{len(reminder.items)}项任务")
    parts.append("、".join(Channel(channel).label for channel in channels) or "无发送渠道")
    return " · ".join(parts)


class Command(BaseCommand):
    help = "检查各单位报送情况，生成并发送到期的催办提醒（每个工作日运行一次；非工作日不发送）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--date", type=_date, help="按哪一天检查，格式 YYYY-MM-DD（默认今天，北京时间）。")
        parser.add_argument("--dry-run", action="store_true", help="只列出将要发送的提醒，不写入、不发送。")

    def handle(self, *args, date: dt.date | None = None, dry_run: bool = False, **options) -> None:
        result = scan(today=date, dry_run=dry_run)
        if not result.working_day:
            self.stdout.write(f"{result.today:%Y-%m-%d} 不是工作日，不发送提醒。")
            return
        if dry_run:
            self._write_due(result, heading=f"{result.today:%Y-%m-%d} 试运行（不写入、不发送）：应发送 {len(result.due)} 条提醒")
            return
        self._write_due(result, heading=f"{result.today:%Y-%m-%d}：已生成 {len(result.created)} 条提醒")
        if result.deliveries:
            self._write_deliveries(result)
        from reminders.services.delivery import sweep

        swept = sweep().delivery_ids
        if swept:
            self.stdout.write(f"另补发到时未发出的发送记录 {len(swept)} 条。")

    def _write_due(self, result: ScanResult, *, heading: str) -> None:
        self.stdout.write(heading + ("。" if result.due else "，没有到期的提醒。"))
        for reminder in result.due:
            self.stdout.write(f"  {describe(reminder, result.channels.get(reminder.dedupe_key, ()))}")

    def _write_deliveries(self, result: ScanResult) -> None:
        counts = Counter(Delivery.objects.filter(pk__in=result.deliveries).values_list("status", flat=True))
        parts = [f"{DeliveryStatus(status).label} {counts[status]}" for status in DeliveryStatus.values if counts[status]]
        line = f"发送记录 {len(result.deliveries)} 条：{'，'.join(parts)}"
        if counts[DeliveryStatus.PENDING]:
            line += "（待发送的由后台按时发送；免打扰时段内生成的在时段结束后发送）"
        self.stdout.write(line + "。")
