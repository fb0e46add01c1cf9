"""python manage.py import_plan PATH [--dry-run] [--json]"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tasks.importer.types import PlanParseError
from tasks.services.plan_documents import parse_plan_document
from tasks.services.plan_import import import_plan


class Command(BaseCommand):
    help = "导入任务分工方案（.txt 或 .docx）。--dry-run 只解析不写入；--json 输出解析结果 JSON。"

    def add_arguments(self, parser):
        parser.add_argument("path", help="方案文件路径（.txt，UTF-8 或 GBK/GB18030 编码；或 .docx）")
        parser.add_argument("--dry-run", action="store_true", help="只解析并报告，不写入数据库")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出解析结果（公开格式）")

    def handle(self, *args, path: str, dry_run: bool, json: bool, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"找不到文件：{path}")
        if file.stat().st_size > settings.PLAN_UPLOAD_MAX_BYTES:
            limit = settings.PLAN_UPLOAD_MAX_BYTES / 1024 / 1024
            raise CommandError(f"文件过大：上限为 {limit:.0f} MB。")
        try:
            text, result = parse_plan_document(data=file.read_bytes(), filename=file.name)
        except PlanParseError as error:
            raise CommandError(f"无法导入：{error.message}") from error

        if json:
            self.stdout.write(_dumps(result.as_json()))
        if dry_run:
            if not json:
                self.stdout.write(f"解析完成（未写入）：方案“{result.plan.title}”，共 {len(result.tasks)} 项任务。")
                self._warnings(result.warnings)
            return

        report = import_plan(result=result, source_text=text)
        out = self.stderr if json else self.stdout
        out.write(report.summary())
        if not json:
            self._warnings(report.warnings)

    def _warnings(self, warnings: list[str]) -> None:
        if warnings:
            self.stdout.write(f"提示（{len(warnings)} 条）：")
            for warning in warnings:
                self.stdout.write(f"  - {warning}")


def _dumps(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
