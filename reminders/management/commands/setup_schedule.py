"""python manage.py setup_schedule — create or update the periodic jobs (django-celery-beat) from the code.

Idempotent; keeps what the plan office changed in the admin (see reminders.services.beat_schedule).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from reminders.services.beat_schedule import set_up_schedule


class Command(BaseCommand):
    help = "按代码中的定义创建或更新周期任务（每日扫描、补发与回收、生成下一填报期）；可重复运行。"

    def handle(self, *args, **options) -> None:
        changes = set_up_schedule()
        for change in changes:
            self.stdout.write(change.line())
        if all(change.action == "unchanged" for change in changes):
            self.stdout.write("周期任务已是最新。")
