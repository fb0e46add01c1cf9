"""``manage.py evaluation_report --plan N [--as-of YYYY-MM-DD] [--only xlsx|docx] OUT``

Writes the plan's evaluation report (中期评估 / 总结评估, see :mod:`evaluation.report`) as OUT.xlsx (the
figures, in the meeting pack's layout) and OUT.docx (the draft). OUT is a path prefix ("out/2025总结"
→ out/2025总结.xlsx and out/2025总结.docx; a trailing .xlsx or .docx is dropped), or an existing
directory, where the files get their default Chinese names. Progress goes to stderr; the written
paths to stdout, one a line.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from evaluation.report import build_report
from evaluation.selectors import get_plan
from evaluation.services.reports import parse_as_of, render_report
from xingping_tracker.core.exceptions import ApplicationError


class Command(BaseCommand):
    help = "生成方案的评估报告：OUT.xlsx（评估数据表）和 OUT.docx（报告初稿）；OUT 为已有目录时使用默认文件名。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("out", metavar="OUT", help="输出路径前缀，或已有目录")
        parser.add_argument("--plan", type=int, required=True, help="方案编号")
        parser.add_argument("--as-of", dest="as_of", default="", help="数据截止日期 YYYY-MM-DD（缺省为今天）")
        parser.add_argument("--only", choices=["xlsx", "docx"], help="只生成一种文件")

    def _progress(self, text: str) -> None:
        self.stderr.write(text)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            plan = get_plan(options["plan"])
            as_of = parse_as_of(options["as_of"], plan=plan)
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        started = time.perf_counter()
        self._progress(f"读取“{plan.title}”截至{as_of:%Y-%m-%d}的数据……")
        report = build_report(plan, as_of=as_of)
        self._progress(
            f"  {report.kind}：指标{len(report.indicators)}项，任务{report.task_total}项，单位{len(report.units)}个，"
            f"填报期{len(report.periods)}期（{time.perf_counter() - started:.1f}秒）"
        )
        out = Path(options["out"])
        formats = [options["only"]] if options["only"] else ["xlsx", "docx"]
        for fmt in formats:
            step = time.perf_counter()
            self._progress(f"写{'评估数据表' if fmt == 'xlsx' else '报告初稿'}（.{fmt}）……")
            made = render_report(report, fmt)
            if out.is_dir():
                target = out / made.filename
            else:
                base = out.with_suffix("") if out.suffix.lower() in {".xlsx", ".docx"} else out
                target = base.parent / f"{base.name}.{fmt}"
            if not target.parent.is_dir():
                raise CommandError(f"输出目录不存在：{target.parent}")
            with made.handle, target.open("wb") as sink:
                shutil.copyfileobj(made.handle, sink)
            self._progress(f"  完成（{time.perf_counter() - step:.1f}秒）")
            self.stdout.write(str(target))
