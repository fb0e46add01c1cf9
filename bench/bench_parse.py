"""Parse the 兴平 seed plan N times and print median / p95 / min in ms. Target: median ≤ 20 ms.

``python -m bench.bench_parse [--runs 30] [--warmups 3]``. The unit directory (from the fixture) is
built once before timing, as the import service reuses it; only ``parse_plan_text`` is timed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from bench.runtime import SEED_PLAN_PATH, Summary, configure, print_table, stopwatch

TARGET_MEDIAN_MS = 20.0


def measure(*, runs: int = 30, warmups: int = 3) -> tuple[Summary, int]:
    """Time ``runs`` parses of the seed after ``warmups`` untimed ones; return the summary and the task count."""
    from departments.directory import UnitDirectory
    from tasks.importer.parser import parse_plan_text

    text = SEED_PLAN_PATH.read_text(encoding="utf-8")
    directory = UnitDirectory.from_fixture()
    result = None
    for _ in range(warmups):
        result = parse_plan_text(text, directory=directory)
    timings = []
    for _ in range(runs):
        with stopwatch() as elapsed:
            result = parse_plan_text(text, directory=directory)
        timings.append(elapsed())
    assert result is not None
    return Summary.of(timings), len(result.tasks)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_parse", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmups", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-parse-") as tmp:
        configure(Path(tmp) / "unused.sqlite3")  # Django settings only: parsing touches no database
        summary, task_count = measure(runs=max(1, args.runs), warmups=max(0, args.warmups))
    print(f"Parse the seed plan ({SEED_PLAN_PATH.name}, {task_count} tasks), {summary.runs} runs")
    print_table(
        ["figure", "ms"],
        [("median", summary.median_ms), ("p95", summary.p95_ms), ("min", summary.min_ms), ("max", summary.max_ms)],
    )
    verdict = "met" if summary.median_ms <= TARGET_MEDIAN_MS else "NOT met"
    print(f"Target: median ≤ {TARGET_MEDIAN_MS:.0f} ms: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
