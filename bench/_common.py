"""What the drills in bench/ share: the PostgreSQL admin connection, manage.py in a child
process, a free port, and waiting for gunicorn's /health/. Imported as `_common` (each
script runs with bench/ first on sys.path)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}


def say(*args: object) -> None:
    print(*args, flush=True)


def pg_admin(sql: str) -> None:
    """One statement on the `postgres` database, outside a transaction (CREATE/DROP DATABASE)."""
    import psycopg2

    conn = psycopg2.connect(dbname="postgres", **PG)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
    finally:
        conn.close()


def manage(*args: str, cwd: Path = ROOT) -> str:
    """`manage.py ARGS` of the code at `cwd` with this process's environment; stops the
    drill with its output when it fails."""
    proc = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=cwd,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(base: str, proc: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    """Until /health/ answers 200; stops the drill with gunicorn's log when it dies or
    does not answer in time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited ({proc.returncode}):\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(base + "/health/", timeout=2) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    raise SystemExit(f"/health/ did not answer 200 in {timeout:.0f} s:\n{log.read_text()[-4000:]}")
