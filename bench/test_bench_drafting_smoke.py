"""bench_drafting must not rot: every generated layout parses into tasks, at a tiny size.

No timings are asserted."""

from bench.bench_drafting import layouts, measure_parse, measure_suggest


def test_every_layout_parses():
    results = measure_parse(runs=1, size_bytes=4096)
    assert len(results) == len(layouts(4096))
    for name, tasks, summary, cpu_ms in results:
        assert tasks > 5, name
        assert summary.runs == 1 and cpu_ms >= 0


def test_suggest_answers_every_candidate():
    summary, cpu_ms = measure_suggest(runs=1, candidates=20)
    assert summary.runs == 1 and cpu_ms >= 0
