#!/usr/bin/env bash
# Make sure .venv exists and holds the packages of one requirements file.
#
# Usage: scripts/ensure_venv.sh REQUIREMENTS_FILE
#
# pip runs only when the requirements changed: a stamp inside the venv records the
# SHA-256 of the file (and of the files it includes with "-r") as last installed.
set -euo pipefail

cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
req=${1:?usage: scripts/ensure_venv.sh REQUIREMENTS_FILE}

if [ ! -x "$VENV/bin/python" ]; then
    if ! command -v "$PYTHON" >/dev/null 2>&1; then
        echo "错误：找不到 $PYTHON，请先安装 Python 3.11 或更新版本。" >&2
        exit 1
    fi
    echo "==> 创建虚拟环境 $VENV"
    "$PYTHON" -m venv "$VENV"
fi

# The key: the file itself plus every file it includes with "-r" (one level is all we use).
key=$("$VENV/bin/python" - "$req" <<'PY'
import hashlib
import sys
from pathlib import Path

req = Path(sys.argv[1])
digest = hashlib.sha256()
files = [req]
for line in req.read_text(encoding="utf-8").splitlines():
    parts = line.split("#", 1)[0].split()
    if len(parts) == 2 and parts[0] in ("-r", "--requirement"):
        files.append(req.parent / parts[1])
for path in files:
    digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
print(digest.hexdigest())
PY
)

stamp="$VENV/.installed-$(basename "$req").sha256"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ]; then
    exit 0
fi

echo "==> 安装依赖 $req"
"$VENV/bin/python" -m pip install --quiet -r "$req"
echo "$key" >"$stamp"
