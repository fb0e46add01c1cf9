#!/usr/bin/env bash
# Run the whole test suite: once on SQLite, then once on PostgreSQL.
#
# Usage: scripts/run_tests.sh [PYTEST ARGS...]     (make test ARGS="-k parser")
#
# - The SQLite pass always runs (pytest-django builds its own test database).
# - The PostgreSQL pass runs when CI=true, or when PostgreSQL answers at TEST_POSTGRES_URL.
# - With CI=true, PostgreSQL and Redis must answer, or the run fails before any test.
# - pytest's exit code 5 (no tests collected) fails the run, like any other nonzero exit.
# - Two pytest-xdist workers (TEST_WORKERS); each has its own test databases and Redis database.
# - First the import layering (lint-imports, import-linter's contracts in pyproject.toml): broken → exit 4.
set -uo pipefail

cd "$(dirname "$0")/.."
REPO=$(pwd)
PY=${PY:-.venv/bin/python}

TEST_POSTGRES_URL=${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
TEST_SQLITE_URL=${TEST_SQLITE_URL:-sqlite:///$REPO/test.sqlite3}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/15}
# pytest-xdist workers (one per core; each test file stays on one worker; the files in the suite's
# order: conftest.pytest_collection_modifyitems). TEST_WORKERS=0 runs in one process.
TEST_WORKERS=${TEST_WORKERS:-2}
export DJANGO_SETTINGS_MODULE=xingping_tracker.settings.test
# Byte-code written (an environment may turn it off): the PostgreSQL pass and the next run then import
# the project and its test modules (assertions rewritten by pytest) from __pycache__ instead of
# compiling them again in every worker, about 6 s per worker and pass. __pycache__ is gitignored.
unset PYTHONDONTWRITEBYTECODE

case "${CI:-}" in
    true | TRUE | True | 1 | yes) in_ci=1 ;;
    *) in_ci=0 ;;
esac

loud_failure() {
    echo "" >&2
    echo "######################################################################" >&2
    echo "# ERROR: $1" >&2
    echo "######################################################################" >&2
}

# The app layering (pyproject.toml [tool.importlinter]; README "Architecture"): checked before any
# test; a broken contract fails the run at once (it takes about a second).
echo "==> import layering (lint-imports)"
LINT_IMPORTS="$(dirname "$PY")/lint-imports"
if [ ! -x "$LINT_IMPORTS" ]; then
    loud_failure "lint-imports (import-linter) is not installed next to ${PY}: run make dev-venv."
    exit 4
fi
if ! "$LINT_IMPORTS" --no-cache --no-logo; then
    loud_failure "lint-imports: an import breaks the app layering (see the contract above and the README's Architecture)."
    exit 4
fi

run_pass() {
    local name=$1 url=$2
    shift 2
    echo ""
    echo "==> ${name} pass (DATABASE_URL=${url})"
    DATABASE_URL=$url "$PY" -m pytest -n "$TEST_WORKERS" --dist loadfile --no-loadscope-reorder "$@"
    local rc=$?
    if [ "$rc" -eq 5 ]; then
        loud_failure "${name} pass: pytest collected no tests (exit code 5). An empty suite is a failure."
    elif [ "$rc" -ne 0 ]; then
        echo "==> ${name} pass FAILED (pytest exit code ${rc})" >&2
    fi
    # On success nothing follows pytest's own summary line: it stays the closing line.
    return "$rc"
}

run_postgres=0
if [ "$in_ci" -eq 1 ]; then
    missing=0
    if ! pg_problem=$("$PY" scripts/check_service.py postgres "$TEST_POSTGRES_URL"); then
        loud_failure "CI=true but PostgreSQL is unreachable. ${pg_problem}"
        missing=1
    fi
    if ! redis_problem=$("$PY" scripts/check_service.py redis "$REDIS_URL"); then
        loud_failure "CI=true but Redis is unreachable. ${redis_problem}"
        missing=1
    fi
    if [ "$missing" -ne 0 ]; then
        echo "CI needs PostgreSQL at 127.0.0.1:5432 and Redis at 127.0.0.1:6379; start them and run again." >&2
        exit 3
    fi
    run_postgres=1
elif pg_problem=$("$PY" scripts/check_service.py postgres "$TEST_POSTGRES_URL"); then
    run_postgres=1
else
    echo "==> PostgreSQL pass skipped: ${pg_problem} (with CI=true this is an error)"
fi

# The browser tests need Debian's chromium and a CJK font: installed here when missing (a failure under CI=true).
bash scripts/ensure_browser.sh || exit $?
# The meeting pack's print test needs LibreOffice: installed here when missing, quietly (a failure under CI=true).
bash scripts/ensure_libreoffice.sh || exit $?

status=0
run_pass SQLite "$TEST_SQLITE_URL" "$@" || status=1
if [ "$run_postgres" -eq 1 ]; then
    run_pass PostgreSQL "$TEST_POSTGRES_URL" "$@" || status=1
fi

if [ "$status" -ne 0 ]; then
    echo "==> make test FAILED: see the pass(es) above" >&2
fi
exit "$status"
