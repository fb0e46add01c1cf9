#!/usr/bin/env python3
"""Tell whether PostgreSQL or Redis answers at a URL. Exit 0 when it does, 1 when not.

Usage: python scripts/check_service.py postgres postgres://postgres@127.0.0.1:5432/test
       python scripts/check_service.py redis redis://127.0.0.1:6379/15

A real handshake, not only an open port: psycopg logs in to PostgreSQL (a plain TCP
connect when psycopg is not installed) and Redis must answer PING with PONG.
No psql or redis-cli needed. Prints one line saying why when the service does not answer.
"""

from __future__ import annotations

import socket
import sys
from urllib.parse import urlsplit

TIMEOUT = 3.0


def check_postgres(url: str) -> str | None:
    try:
        import psycopg
    except ImportError:
        parts = urlsplit(url)
        return check_tcp(parts.hostname or "127.0.0.1", parts.port or 5432)
    try:
        with psycopg.connect(url, connect_timeout=int(TIMEOUT)) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:  # any failure means "not usable"; say which
        return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
    return None


def check_redis(url: str) -> str | None:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=TIMEOUT) as sock:
            sock.sendall(b"PING\r\n")
            reply = sock.recv(64)
    except OSError as exc:
        return f"{type(exc).__name__}: {exc}"
    if not reply.startswith(b"+PONG"):
        return f"unexpected reply to PING: {reply!r}"
    return None


def check_tcp(host: str, port: int) -> str | None:
    try:
        with socket.create_connection((host, port), timeout=TIMEOUT):
            return None
    except OSError as exc:
        return f"{type(exc).__name__}: {exc}"


def redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[1] not in ("postgres", "redis"):
        print(__doc__, file=sys.stderr)
        return 2
    kind, url = argv[1], argv[2]
    problem = check_postgres(url) if kind == "postgres" else check_redis(url)
    if problem:
        print(f"{kind} does not answer at {redact(url)}: {problem}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
