"""The app layering (pyproject.toml [tool.importlinter], README "Architecture"): the project keeps
its contracts, a lower app importing a higher one breaks them, and ``make test`` stops on a broken
contract before any test runs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

pytestmark = pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is not installed (make dev-venv)")


def lint(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(cwd)},
    )


def test_the_project_keeps_its_import_contracts():
    result = lint(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_layers_are_the_ones_the_readme_describes():
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    layers = next(c for c in config["contracts"] if c["id"] == "layers")["layers"]
    order = [layer.replace(" ", "") for layer in reversed(layers)]  # lowest first
    assert order[:5] == [
        "xingping_tracker.core:xingping_tracker.celery",
        "departments",
        "tasks",
        "access",
        "progress",
    ]
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "core < departments < tasks < access < progress" in readme


def _contract_config() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]


def _explicit_exceptions(config: dict) -> list[tuple[str, str]]:
    pairs = []
    for contract in config["contracts"]:
        for ignored in contract.get("ignore_imports", []):
            if "*" not in ignored:
                source, dest = (part.strip() for part in ignored.split("->"))
                pairs.append((source, dest))
    return pairs


def scratch_project(tmp_path: Path, *, importer: str, imported: str) -> Path:
    """A stub of the project for the contract: every module it names (each a package), the
    project's pyproject.toml, the imports its exceptions allow, and one import ``importer`` → ``imported``."""
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    config = _contract_config()
    modules = set(config["root_packages"]) | {importer, imported, "progress.api.views", "xingping_tracker.tests.stub"}
    for contract in config["contracts"]:
        for layer in contract.get("layers", []):
            modules.update(part.strip() for part in layer.replace(":", "|").split("|"))
        modules.update(contract.get("source_modules", []))
        modules.update(contract.get("forbidden_modules", []))
    exceptions = _explicit_exceptions(config)
    modules.update(module for pair in exceptions for module in pair)
    imports = [*exceptions, (importer, imported), ("xingping_tracker.tests.stub", "bench")]
    for module in modules:
        for depth in range(1, module.count(".") + 2):
            package = tmp_path.joinpath(*module.split(".")[:depth])
            package.mkdir(exist_ok=True)
            (package / "__init__.py").touch()
    for source, dest in imports:
        with tmp_path.joinpath(*source.split("."), "__init__.py").open("a", encoding="utf-8") as handle:
            handle.write(f"import {dest}\n")
    return tmp_path


def test_the_stub_project_keeps_the_contracts_with_an_allowed_import(tmp_path):
    result = lint(scratch_project(tmp_path, importer="progress.views", imported="tasks.models"))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("departments.services", "tasks.models"),  # the cycle departments ↔ tasks, broken by this issue
        ("progress.admin", "exports.admin_actions"),  # exports registers its own admin actions
        ("exports.print_check", "bench.runtime"),
        ("xingping_tracker.core.exceptions", "progress.models"),
        ("tasks.selectors", "access.querysets"),
        ("dashboard.api.views", "progress.api.views"),  # another app's API internals
        ("progress.models", "access.rules"),  # a module the access rules read may not ask them
        ("progress.views", "access.rules._errors"),  # another package's private module
    ],
)
def test_a_forbidden_import_breaks_the_contract(tmp_path, importer, imported):
    result = lint(scratch_project(tmp_path, importer=importer, imported=imported))
    assert result.returncode != 0
    assert "BROKEN" in result.stdout and importer in result.stdout.replace("\n", "")


def test_make_test_stops_on_a_broken_contract_before_any_test(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").write_text('#!/bin/sh\necho pytest-ran >> "$(dirname "$0")/ran"\nexit 0\n')
    (bin_dir / "lint-imports").write_text("#!/bin/sh\necho 'Contracts: 0 kept, 1 broken.'\nexit 1\n")
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    result = subprocess.run(
        ["bash", str(REPO / "scripts" / "run_tests.sh")],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PY": str(bin_dir / "python"), "CI": ""},
    )
    assert result.returncode == 4
    assert "breaks the app layering" in result.stderr
    assert not (bin_dir / "ran").exists()
