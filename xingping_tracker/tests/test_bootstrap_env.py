"""scripts/bootstrap_env.py: `make run` writes .env with a fresh secret key, never a fixed one."""

import stat
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "bootstrap_env.py"


def bootstrap(path: Path) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, str(SCRIPT), str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result


def secret_key_of(path: Path) -> str:
    keys = [line.split("=", 1)[1] for line in path.read_text().splitlines() if line.startswith("DJANGO_SECRET_KEY=")]
    assert len(keys) == 1, path.read_text()
    return keys[0]


def test_creates_env_with_a_long_random_key_readable_only_by_the_owner(tmp_path):
    env_file = tmp_path / ".env"

    bootstrap(env_file)

    assert len(secret_key_of(env_file)) >= 50
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600


def test_every_new_env_gets_a_different_key(tmp_path):
    first, second = tmp_path / "a.env", tmp_path / "b.env"

    bootstrap(first)
    bootstrap(second)

    assert secret_key_of(first) != secret_key_of(second)


def test_existing_key_is_kept(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DJANGO_SECRET_KEY=keep-me\nDJANGO_DEBUG=true\n")

    bootstrap(env_file)

    assert env_file.read_text() == "DJANGO_SECRET_KEY=keep-me\nDJANGO_DEBUG=true\n"


def test_env_without_a_key_gets_one_appended_and_keeps_its_lines(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DJANGO_DEBUG=true")

    bootstrap(env_file)

    assert env_file.read_text().startswith("DJANGO_DEBUG=true\n")
    assert len(secret_key_of(env_file)) >= 50
