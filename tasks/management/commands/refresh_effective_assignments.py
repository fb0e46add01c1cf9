"""python manage.py refresh_effective_assignments [--task ID ...]"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from tasks.services.effective_assignments import rebuild_cell_counts, refresh_effective_assignments


class Command(BaseCommand):
    help = "按分工、占位展开和单位组成员重算任务的实际承担单位（修复用；正常情况下随每次修改自动更新）。"

    def add_arguments(self, parser):
        parser.add_argument("--task", type=int, action="append", dest="tasks", help="只重算该任务（编号 ID，可重复）；缺省为全部任务")

    def handle(self, *args, tasks: list[int] | None, **options):
        counts = refresh_effective_assignments(task_ids=tasks)
        scope = f"{len(set(tasks))} 项任务" if tasks else "全部任务"
        if counts.created or counts.deleted:
            self.stdout.write(f"已重算{scope}的实际承担单位：新增 {counts.created} 条，删除 {counts.deleted} 条。")
        else:
            self.stdout.write(f"{scope}的实际承担单位均已是最新，未作修改。")
        if not tasks:
            differing = rebuild_cell_counts()
            if differing:
                self.stdout.write(f"已重新统计各单位承担任务数：{differing} 项不一致，已更正。")
