"""Importer layouts at 1 MB and unit suggestions for 200 candidates; prints medians.

``python -m bench.bench_drafting [--runs 5] [--size-kb 1024] [--candidates 200]``

- Parse: a plan of ``--size-kb`` in each layout the importer reads (numbered lines with a bracketed tag,
  labelled lines after the task, a " | " table, a glued table, three levels (一)›1.›(1)), generated from the
  兴平 plan's tasks and units; only ``parse_plan_text`` is timed (unit directory built once). Target: ≤ 1 s.
- Suggest: ``Suggester`` fitted on the 兴平 plan's 210 tasks; the timed call suggests units for
  ``--candidates`` candidate tasks of the two seed work reports (repeated to the count), fitting included.
  Target: ≤ 2 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.runtime import SEED_PLAN_PATH, Summary, configure, print_table, stopwatch

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT / "fixtures" / "reports"
PARSE_TARGET_MS = 1000.0
SUGGEST_TARGET_MS = 2000.0


def _seed_rows():
    from departments.directory import UnitDirectory
    from tasks.importer.parser import parse_plan_text

    result = parse_plan_text(SEED_PLAN_PATH.read_text(encoding="utf-8"), directory=UnitDirectory.from_fixture())
    return [(t.text, [u.display for u in t.lead], [u.display for u in t.supporting]) for t in result.tasks if t.lead]


def layouts(size_bytes: int) -> dict[str, str]:
    """One generated plan per layout, each about ``size_bytes`` of UTF-8."""
    rows = _seed_rows()

    def grow(head: list[str], render) -> str:
        lines = list(head)
        size = sum(len(line.encode()) + 1 for line in lines)
        number = 0
        while size < size_bytes:
            number += 1
            for line in render(number, *rows[(number - 1) % len(rows)]):
                lines.append(line)
                size += len(line.encode()) + 1
        return "\n".join(lines)

    def tagged(n, text, lead, supporting):
        tag = f"牵头单位：{'、'.join(lead)}" + (f"；配合单位：{'、'.join(supporting)}" if supporting else "")
        return [f"{n}.{text}（{tag}）"]

    def labelled(n, text, lead, supporting):
        return [
            f"{n}.{text}",
            f"牵头单位：{'、'.join(lead)}",
            f"配合单位：{'、'.join(supporting) or '各镇办'}",
            "责任领导：张明",
        ]

    def pipe(n, text, lead, supporting):
        return [f"{n} | {text} | {'、'.join(lead)} | {'、'.join(supporting)} | 张明 | 2024年12月底前"]

    def glued(n, text, lead, supporting):
        return [f"{n}{text.rstrip('。')}{''.join(lead)}{''.join(supporting[:2])}张明9月底"]

    def three_levels(n, text, lead, supporting):
        head = [f"（{_cn(n // 50 % 99 + 1)}）重点领域{n // 50}"] if n % 50 == 1 else []
        item = [f"{n % 50 // 5 + 1}.工作事项"] if n % 5 == 1 else []
        return [*head, *item, f"（{n % 5 + 1}）{text}（牵头单位：{'、'.join(lead)}）"]

    title = ["兴平市2024年重点工作任务分工方案"]
    return {
        "numbered, bracketed tag": grow(title, tagged),
        "labelled lines": grow(title, labelled),
        "| table": grow([*title, "序号 | 重点工作 | 牵头单位 | 责任单位 | 责任领导 | 完成时限"], pipe),
        "glued table": grow([*title, "序号重点工作牵头单位责任单位责任领导完成时限"], glued),
        "three levels": grow(title, three_levels),
    }


def _cn(n: int) -> str:
    digits = "一二三四五六七八九"
    if n <= 9:
        return digits[n - 1]
    tens, units = divmod(n, 10)
    return ("" if tens == 1 else digits[tens - 1]) + "十" + (digits[units - 1] if units else "")


def measure_parse(*, runs: int, size_bytes: int) -> list[tuple[str, int, Summary, float]]:
    """Per layout: its name, the task count, the wall-clock summary and the median CPU time in ms (the
    process's own CPU time: closer to an idle machine's wall clock when the cores are shared)."""
    from departments.directory import UnitDirectory
    from tasks.importer.parser import parse_plan_text

    directory = UnitDirectory.from_fixture()
    out = []
    for name, text in layouts(size_bytes).items():
        timings, cpu, tasks = [], [], 0
        for _ in range(runs):
            cpu_start = time.process_time()
            with stopwatch() as elapsed:
                tasks = len(parse_plan_text(text, directory=directory).tasks)
            cpu.append(time.process_time() - cpu_start)
            timings.append(elapsed())
        out.append((name, tasks, Summary.of(timings), statistics.median(cpu) * 1000))
    return out


def measure_suggest(*, runs: int, candidates: int) -> tuple[Summary, float]:
    from drafting.report import split_report
    from drafting.suggest import PastTask, Suggester

    past = [
        PastTask(key=i, text=text, lead=tuple(lead), supporting=tuple(sup))
        for i, (text, lead, sup) in enumerate(_seed_rows())
    ]
    queries = [
        c.query
        for name, year in (("hanzhong-2024-work-report-key-tasks.txt", 2024), ("ankang-2022-work-report.txt", None))
        for c in split_report((REPORTS / name).read_text(encoding="utf-8"), year=year).candidates
    ]
    queries = (queries * (candidates // max(len(queries), 1) + 1))[:candidates]
    timings, cpu = [], []
    for _ in range(runs):
        cpu_start = time.process_time()
        with stopwatch() as elapsed:
            suggestions = Suggester(past).suggest_many(queries)
        cpu.append(time.process_time() - cpu_start)
        assert len(suggestions) == candidates
        timings.append(elapsed())
    return Summary.of(timings), statistics.median(cpu) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_drafting", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--size-kb", type=int, default=1024)
    parser.add_argument("--candidates", type=int, default=200)
    args = parser.parse_args(argv)
    runs = max(1, args.runs)
    with tempfile.TemporaryDirectory(prefix="bench-drafting-") as tmp:
        configure(Path(tmp) / "unused.sqlite3")  # settings only: nothing here touches the database
        parsed = measure_parse(runs=runs, size_bytes=args.size_kb * 1024)
        suggested, suggested_cpu = measure_suggest(runs=runs, candidates=args.candidates)
    print(f"Parse a {args.size_kb} KB plan per layout, {runs} runs (target: median ≤ {PARSE_TARGET_MS:.0f} ms)")
    print_table(
        ["layout", "tasks", "median ms", "max ms", "CPU median ms", "target"],
        [
            (n, t, s.median_ms, s.max_ms, c, "met" if s.median_ms <= PARSE_TARGET_MS else "NOT met")
            for n, t, s, c in parsed
        ],
    )
    print()
    verdict = "met" if suggested.median_ms <= SUGGEST_TARGET_MS else "NOT met"
    print(f"Suggest units for {args.candidates} candidates (fit on 210 tasks included), {runs} runs")
    print_table(
        ["figure", "ms"],
        [("median", suggested.median_ms), ("max", suggested.max_ms), ("CPU median", suggested_cpu)],
    )
    print(f"Target: median ≤ {SUGGEST_TARGET_MS:.0f} ms: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
