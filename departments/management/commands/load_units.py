"""python manage.py load_units [PATH]: load or refresh the unit directory from fixtures/units.json."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from departments.services import sync_units_from_fixture
from xingping_tracker.core.exceptions import ApplicationError


class Command(BaseCommand):
    help = "从单位名录文件（默认 fixtures/units.json）导入或更新单位、别名、挂靠关系和单位组；不删除任何单位。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", type=Path, help="单位名录 JSON 文件路径（可省略）")

    def handle(self, *args: Any, path: Path | None = None, **options: Any) -> None:
        try:
            report = sync_units_from_fixture(path=path)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"单位：新增 {report.units_created} 个，更新 {report.units_updated} 个；"
            f"别名：新增 {report.aliases_created} 个，更新 {report.aliases_updated} 个；"
            f"单位组：新增 {report.groups_created} 个，更新 {report.groups_updated} 个，"
            f"新增成员 {report.members_added} 个、别名 {report.group_aliases_created} 个。"
        )
        if not report.changed:
            self.stdout.write("单位名录已是最新，无需改动。")
