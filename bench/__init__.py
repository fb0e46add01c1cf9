"""Synthetic data and benchmark scripts. Run from the repository root: ``python -m bench.bench_parse`` etc."""
