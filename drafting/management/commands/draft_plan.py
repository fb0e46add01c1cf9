"""python manage.py draft_plan REPORT [--json] [--year YEAR] [--save TITLE]"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from drafting import selectors
from drafting.services import create_draft, draft_report
from tasks.importer.decoding import decode_document
from xingping_tracker.core.exceptions import ApplicationError


class Command(BaseCommand):
    help = (
        "从政府工作报告起草任务分工方案：拆出候选任务（含数量目标），按库中已有方案的分工建议牵头和配合单位。"
        "默认只输出不写入；--save 保存为草稿。"
    )

    def add_arguments(self, parser):
        parser.add_argument("report", help="工作报告文件（.txt，UTF-8 或 GBK；或 .docx）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出候选任务和建议")
        parser.add_argument("--year", type=int, default=None, help="报告所部署工作的年度（报告中未写明时用）")
        parser.add_argument("--save", metavar="TITLE", default="", help="以该方案名称保存为草稿，供规划科编辑")

    def handle(self, *args, report: str, json: bool, year: int | None, save: str, **options):
        file = Path(report)
        if not file.is_file():
            raise CommandError(f"找不到文件：{report}")
        if file.stat().st_size > settings.PLAN_UPLOAD_MAX_BYTES:
            raise CommandError(f"文件过大：上限为 {settings.PLAN_UPLOAD_MAX_BYTES / 1024 / 1024:.0f} MB。")
        suggester = selectors.suggester()
        if not suggester.past:
            self.stderr.write("提示：数据库中还没有任务，无法建议责任单位。请先用 import_plan 导入已有方案。")
        try:
            text = decode_document(file.read_bytes(), filename=file.name)
            drafted = draft_report(text=text, suggester=suggester, year=year)
            draft = (
                create_draft(text=text, title=save, suggester=suggester, source_name=file.name, year=year)
                if save
                else None
            )
        except ApplicationError as error:
            raise CommandError(f"无法起草：{error.message}") from error

        if json:
            self.stdout.write(_dumps(drafted.as_json()))
        else:
            self._print(drafted)
        if draft is not None:
            (self.stderr if json else self.stdout).write(
                f"已保存草稿“{draft.title}”（编号 {draft.pk}，{draft.tasks.count()} 条候选任务）。"
            )

    def _print(self, drafted) -> None:
        report = drafted.report
        self.stdout.write(f"候选任务 {len(report.candidates)} 条（年度：{report.year or '未写明'}）：")
        for candidate, suggestion in zip(report.candidates, drafted.suggestions, strict=True):
            lead = "、".join(f"{u.name}({u.confidence:.2f})" for u in suggestion.lead) or "—"
            supporting = "、".join(u.name for u in suggestion.supporting[:3]) or "—"
            self.stdout.write(f"{candidate.position}. {candidate.text}")
            self.stdout.write(f"    建议牵头：{lead}；建议配合：{supporting}")
            if suggestion.similar:
                self.stdout.write(
                    f"    相似任务：{suggestion.similar[0].task.number}. {suggestion.similar[0].task.text[:40]}"
                )


def _dumps(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
