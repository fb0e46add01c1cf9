"""`manage.py demo_data` creates the demonstration accounts and reports; `--remove` removes them."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from progress import demo
from progress.management.commands.create_accounts import write_created_accounts


class Command(BaseCommand):
    help = "创建演示账号和演示报告（已存在的不重复创建）；加 --remove 删除全部演示数据（填报期保留）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--remove", action="store_true", help="删除演示报告、演示账号及其操作记录，其他数据不动。")

    def handle(self, *args, remove: bool = False, **options) -> None:
        if remove:
            summary = demo.remove_demo_data()
            if summary.nothing:
                self.stdout.write(summary.lines()[0])
                return
            self.stdout.write(self.style.SUCCESS("已删除演示数据："))
            for line in summary.lines():
                self.stdout.write(f"  {line}")
            self.stdout.write("  填报期属于正式配置，未删除。")
            return
        created = demo.ensure_demo_accounts()
        if created:
            write_created_accounts(self.stdout, created, style=self.style, heading="已创建演示账号：")
        for line in demo.create_demo_data().lines():
            self.stdout.write(line)
