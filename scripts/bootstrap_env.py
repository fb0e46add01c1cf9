#!/usr/bin/env python3
"""Write .env with a freshly generated DJANGO_SECRET_KEY when it is missing.

Usage: python scripts/bootstrap_env.py [PATH]   (PATH defaults to .env beside manage.py)

- No file: create it (mode 0600) with a new random key.
- A file without DJANGO_SECRET_KEY: append a new random key; other lines are kept.
- A file with a key: leave it alone, so sessions and passwords survive restarts.

Standard library only: it runs before the virtualenv has any package.
"""

from __future__ import annotations

import os
import re
import secrets
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
KEY_LINE = re.compile(r"^\s*(export\s+)?DJANGO_SECRET_KEY\s*=\s*\S", re.MULTILINE)


def new_secret_key() -> str:
    # token_urlsafe only uses [A-Za-z0-9_-]: no quoting needed in .env.
    return secrets.token_urlsafe(50)


def ensure_env_file(path: Path) -> str:
    """Return what was done: "created", "appended" or "kept"."""
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("# Local settings for this machine; never commit this file.\n")
            handle.write(f"DJANGO_SECRET_KEY={new_secret_key()}\n")
        return "created"
    text = path.read_text(encoding="utf-8")
    if KEY_LINE.search(text):
        return "kept"
    with path.open("a", encoding="utf-8") as handle:
        if text and not text.endswith("\n"):
            handle.write("\n")
        handle.write(f"DJANGO_SECRET_KEY={new_secret_key()}\n")
    return "appended"


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else REPO_ROOT / ".env"
    outcome = ensure_env_file(path)
    if outcome == "created":
        print(f"==> 已生成 {path.name}，其中的 DJANGO_SECRET_KEY 为新生成的随机密钥")
    elif outcome == "appended":
        print(f"==> 已在 {path.name} 中补充新生成的 DJANGO_SECRET_KEY")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
