"""The harness every bench/*.py shares (imported as `_common`: a script run as
`python bench/X.py` has bench/ on sys.path):

- `parser()`: argparse with the script's docstring as --help and the common flags
  (--keep, and --quick where a full run takes minutes);
- `database()`: a PostgreSQL database of the script's own (`sqf_bench_<script>_<pid>`),
  created, migrated, and dropped at the end (`DROP DATABASE … WITH (FORCE)`). Nothing here
  deletes rows: the audit tables are append-only on PostgreSQL (a trigger refuses
  DELETE), so a wipe is a dropped database;
- `django_setup()`: Django in this process against that database;
- `gunicorn()`: the app on a free port, waited for on /health/, stopped at the end;
- `locust()`: a closed-loop HTTP load (locust, headless, in a child process);
- `machine()` / `print_machine()`: CPU model, cores, RAM, load, Python, PostgreSQL.

PostgreSQL is expected at 127.0.0.1:5432 (user postgres, no password), Redis (where a
script needs it) at 127.0.0.1:6379.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}


def say(*args: object) -> None:
    print(*args, flush=True)


# --- command line --------------------------------------------------------------------------------


def parser(doc: str | None, quick: str | None = None, keep: bool = True) -> argparse.ArgumentParser:
    """The script's argument parser: its docstring as the help text, --keep (leave the
    database and temporary files) unless `keep` is false, and --quick with `quick` as
    its help when given."""
    p = argparse.ArgumentParser(
        description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    if keep:
        p.add_argument(
            "--keep", action="store_true", help="keep the database and temporary files at the end"
        )
    if quick:
        p.add_argument("--quick", action="store_true", help=quick)
    return p


# --- PostgreSQL ----------------------------------------------------------------------------------


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


def pg_version() -> str:
    try:
        import psycopg2

        conn = psycopg2.connect(dbname="postgres", connect_timeout=3, **PG)
    except Exception as exc:  # reported in the machine line, not raised
        return f"not reachable ({exc.__class__.__name__})"
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT version()")
            return cur.fetchone()[0].split(" on ")[0]
    finally:
        conn.close()


def db_name(script: str, suffix: str = "") -> str:
    """`sqf_bench_<script>[_<suffix>]_<pid>`: unique to this run, so two runs (or a run and
    a test session) never share a database."""
    return f"sqf_bench_{script}{'_' + suffix if suffix else ''}_{os.getpid()}"


def db_url(name: str) -> str:
    return f"postgres://postgres@{PG['host']}:{PG['port']}/{name}"


def drop_database(name: str) -> None:
    if "django" in sys.modules:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
    pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def create_database(name: str, migrate: bool = True, seed_demo: bool = False, cwd: Path = ROOT):
    """CREATE DATABASE `name`, then `manage.py migrate` (and `seed_demo`) of the code at
    `cwd` with this process's environment, whose DATABASE_URL must name it."""
    pg_admin(f'CREATE DATABASE "{name}"')
    if migrate:
        t0 = time.perf_counter()
        manage("migrate", "--noinput", "-v0", cwd=cwd)
        say(f"database {name}: migrated in {time.perf_counter() - t0:.1f} s")
    if seed_demo:
        t0 = time.perf_counter()
        manage("seed_demo", cwd=cwd)
        say(f"database {name}: seed_demo in {time.perf_counter() - t0:.1f} s")


@contextlib.contextmanager
def database(
    script: str,
    keep: bool = False,
    migrate: bool = True,
    seed_demo: bool = False,
    cwd: Path = ROOT,
    suffix: str = "",
) -> Iterator[str]:
    """Create the script's own database, point DATABASE_URL of this process at it, run
    `manage.py migrate` (and `seed_demo`), yield its name; drop it at the end unless
    `keep`."""
    name = db_name(script, suffix)
    os.environ["DATABASE_URL"] = db_url(name)
    try:
        create_database(name, migrate=migrate, seed_demo=seed_demo, cwd=cwd)
        yield name
    finally:
        if keep:
            say(f"database {name} kept")
        else:
            drop_database(name)
            say(f"database {name} dropped")


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


def django_setup(code: Path = ROOT) -> None:
    """Django in this process, with the settings of the code at `code` and the
    environment's DATABASE_URL (set by `database()`)."""
    if str(code) not in sys.path:
        sys.path.insert(0, str(code))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def static_without_manifest() -> None:
    """Pages rendered in this process (django.test.Client) with DEBUG off would look up
    collectstatic's manifest, which a fresh checkout does not have: use the plain static
    storage instead (the same URLs without the content hash; nothing else changes)."""
    from django.conf import settings
    from django.test.utils import override_settings

    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}).enable()


# --- the machine ---------------------------------------------------------------------------------


def machine() -> dict:
    """What the figures were measured on."""
    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = "?"
    with contextlib.suppress(OSError, ValueError, IndexError):
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        ram = f"{kb / 1024 / 1024:.1f} GiB"
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram": ram,
        "loadavg": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "python": platform.python_version(),
        "postgresql": pg_version(),
        "commit": commit or "?",
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def print_machine(**extra: object) -> dict:
    info = {**machine(), **extra}
    say("machine: " + "; ".join(f"{k} {v}" for k, v in info.items()))
    return info


# --- gunicorn ------------------------------------------------------------------------------------


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


def stop_group(proc: subprocess.Popen, timeout: float = 30) -> None:
    """SIGTERM to the process group of `proc` (started with start_new_session), SIGKILL
    when it does not end in `timeout` seconds."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        pass


def server_env(tmp: Path, **overrides: str) -> dict[str, str]:
    """Production-like settings for a local server: DEBUG off, a random SECRET_KEY, its
    own data folder and collected static files under `tmp`, no inherited REDIS_URL or
    HTTPS (pass REDIS_URL= to use Redis)."""
    import secrets
    import string

    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "HTTPS")}
    env.update(
        {
            "SECRET_KEY": "".join(
                secrets.choice(string.ascii_letters + string.digits) for _ in range(60)
            ),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DEBUG": "false",
            "SQF_DATA_DIR": str(tmp / "data"),
            "STATIC_ROOT": str(tmp / "static"),  # DEBUG=false reads collectstatic's manifest
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
    )
    env.update(overrides)
    return env


def start_gunicorn(
    env: dict[str, str],
    log: Path,
    workers: int = 4,
    cwd: Path = ROOT,
    extra: tuple[str, ...] = (),
    port: int | None = None,
) -> tuple[str, subprocess.Popen]:
    """gunicorn as docker-compose runs it (`config.wsgi`, sync workers, `--timeout 60`) on
    127.0.0.1 and a free port (or `port`), in its own process group, its output in `log`.
    Returns (base URL, process) at once; the caller waits for it and stops it
    (`wait_healthy`, `stop_group`), or uses `gunicorn()`."""
    port = port or free_port()
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--timeout",
            "60",
            *extra,
        ],
        cwd=cwd,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return f"http://127.0.0.1:{port}", proc


@contextlib.contextmanager
def gunicorn(
    env: dict[str, str],
    log: Path,
    workers: int = 4,
    cwd: Path = ROOT,
    extra: tuple[str, ...] = (),
    collectstatic: bool = True,
) -> Iterator[tuple[str, subprocess.Popen]]:
    """gunicorn (`config.wsgi`, sync workers) of the code at `cwd` on a free port, in its
    own process group; yields (base URL, process) once /health/ answers, and stops it at
    the end. `collectstatic` first fills env's STATIC_ROOT."""
    if collectstatic:
        t0 = time.perf_counter()
        saved = dict(os.environ)
        os.environ.update(env)
        try:
            manage("collectstatic", "--noinput", "-v0", cwd=cwd)
        finally:
            os.environ.clear()
            os.environ.update(saved)
        say(f"collectstatic: {time.perf_counter() - t0:.1f} s")
    base, proc = start_gunicorn(env, log, workers=workers, cwd=cwd, extra=extra)
    try:
        wait_healthy(base, proc, log)
        say(f"gunicorn pid {proc.pid}, {workers} sync workers on {base}")
        yield base, proc
    finally:
        stop_group(proc)


# --- HTTP load: locust, headless -----------------------------------------------------------------


def locust(
    base: str,
    path: str,
    users: int,
    duration: float,
    warmup: float = 0,
    timeout: float = 60,
    headers: dict[str, str] | None = None,
) -> dict:
    """`users` locust users (FastHttpUser, no think time: a closed loop like wrk's
    connections) GET `base + path` for `warmup` s (discarded) and then `duration` s.
    Runs in a child process, so gevent's monkey-patching stays out of this one. Returns
    requests, rps, failures (non-2xx and socket errors), p50/p95/p99/max/mean ms.
    Locust keeps response times in buckets (2 significant digits above 100 ms)."""
    spec = {
        "base": base,
        "path": path,
        "users": users,
        "duration": duration,
        "warmup": warmup,
        "timeout": timeout,
        "headers": headers or {},
    }
    with tempfile.NamedTemporaryFile("w+", suffix=".json") as out:
        proc = subprocess.run(
            [sys.executable, __file__, "--locust", json.dumps(spec), out.name],
            capture_output=True,
            text=True,
            timeout=warmup + duration + 120,
        )
        out.seek(0)
        text = out.read()
    if proc.returncode != 0 or not text:
        raise SystemExit(f"locust failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return json.loads(text)


def _locust_child(spec: dict, out: str) -> None:
    import gevent
    from locust import FastHttpUser, constant, task
    from locust.env import Environment

    class Visitor(FastHttpUser):
        host = spec["base"]
        wait_time = constant(0)
        network_timeout = connection_timeout = spec["timeout"]

        @task
        def get(self) -> None:
            self.client.get(spec["path"], headers=spec["headers"], name="path")

    env = Environment(user_classes=[Visitor])
    runner = env.create_local_runner()
    runner.start(spec["users"], spawn_rate=spec["users"])
    if spec["warmup"]:
        gevent.sleep(spec["warmup"])
        env.stats.reset_all()
    t0 = time.perf_counter()
    gevent.sleep(spec["duration"])
    elapsed = time.perf_counter() - t0
    s = env.stats.total
    result = {
        "requests": s.num_requests,
        "rps": s.num_requests / elapsed,
        "failures": s.num_failures,
        "p50": s.get_response_time_percentile(0.50),
        "p95": s.get_response_time_percentile(0.95),
        "p99": s.get_response_time_percentile(0.99),
        "max": s.max_response_time,
        "mean": s.avg_response_time,
        "bytes_mean": s.avg_content_length,
        "errors": {str(e.error): e.occurrences for e in env.stats.errors.values()},
    }
    runner.quit()
    Path(out).write_text(json.dumps(result))


if __name__ == "__main__" and len(sys.argv) == 4 and sys.argv[1] == "--locust":
    _locust_child(json.loads(sys.argv[2]), sys.argv[3])
