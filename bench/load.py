"""Load drill: 50 signed-in users for 5 minutes on the editor, the dashboard, the registry
and the authenticated API (gunicorn, 4 sync workers, PostgreSQL, Redis).

  .venv/bin/python bench/load.py [--quick] [--duration 300] [--users 50] [--workers 4]
                                 [--warmup 20] [--keep]

About 6 min; --quick (10 users, 30 s after 5 s of warm-up) about 1.5 min.

Not a test: it prints figures for docs/security.md (row 21) and docs/benchmarks.md
("Reliability drills"). It needs PostgreSQL at 127.0.0.1:5432 (user postgres, no
password) and Redis at 127.0.0.1:6379 (database 8, flushed at start and end).

1. Creates its own database `sqf_bench_load_<pid>`, runs `manage.py migrate` and
   `manage.py seed_demo` (the demo SQF: version 1 published, version 2 in preparation), and
   `manage.py drf_create_token USER` for the API users.
2. Collects the static files into a temporary folder; starts gunicorn as docker-compose
   does (`config.wsgi`, `--timeout 60`, access log),
   here with 4 sync workers, DEBUG=false, ALLOWED_HOSTS=127.0.0.1,localhost, a random
   60-character SECRET_KEY, HTTPS unset, in its own process group.
3. Setup, not measured: each demo account is checked once (one sign-in: GET
   /accounts/login/, POST it with the CSRF token; every path must answer 200 for it, or
   the account is left out); then every browser user signs in once with its own session
   (the users are spread over the accounts that passed), and every API user gets the
   account's DRF token. No sign-in can fail here (django-axes locks a name after 5).
4. Load, from two separate processes (this script with --client): half the users
   browse with their session cookie (`/sqf/<v2>/`, `/sqf/<v2>/table1/`,
   `/sqf/<v2>/table3/`, `/`, `/registry/?q=электр`, `/registry/<framework>/`), half call
   the API with `Authorization: Token …` (`/api/versions/`, `/api/versions/<v2>/parts/`,
   `/api/registry/publications/?q=электр`). Each user is a thread in a closed loop with no
   think time (like wrk's connections): it picks a path at random, sends GET, reads the
   whole body, and records the status and the time to the last byte; gunicorn's sync
   workers close every connection, so each request opens a new TCP connection. First
   --warmup seconds (reported apart), then --duration seconds measured.
5. Reports per endpoint, per kind and overall: requests, requests/s, p50/p95/p99/max ms
   (nearest rank) and errors (any non-2xx, or no response); a 30-second time series; the
   CPU seconds used by gunicorn, PostgreSQL, Redis and the load generators; and what
   gunicorn logged (status codes from its access log, tracebacks, worker timeouts).
6. Stops gunicorn, drops the database, flushes Redis database 8 (try/finally; --keep
   leaves the database and the temporary folder).
"""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import string
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from pathlib import Path

import _common
from _common import ROOT, manage, pg_admin, say, wait_healthy

DB = _common.db_name("load")
REDIS = "redis://127.0.0.1:6379/8"
ENV = {
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}",
    "REDIS_URL": REDIS,
    "SECRET_KEY": "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(60)),
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "DEBUG": "false",
    "DJANGO_SETTINGS_MODULE": "config.settings",
}
UNSET = ("HTTPS", "CELERY_TASK_ALWAYS_EAGER", "CELERY_BROKER_URL", "SECURE_SSL_REDIRECT")
PASSWORD = "sqf-demo-2026"
# Accounts tried for each kind; those that get 200 on every path of the kind are used.
ACCOUNTS = ["drafter", "expert", "member", "secretary", "officer", "admin"]
Q = urllib.parse.quote("электр")
# Other work that would disturb the figures if it ran at the same time (reported, not stopped).
OTHER_LOAD = r"pytest|\.ci/run|locust|bench/(registry|documents|editor|editor_load|classifiers|deadlines|celery_crash|backup_drill|dast|case)\.py"


# --- the load generator (runs in its own process: --client CONFIG OUT) -------------------------


def client_main(config_path: str, out_path: str) -> None:
    cfg = json.loads(Path(config_path).read_text())
    host, port = cfg["host"], cfg["port"]
    paths = [tuple(p) for p in cfg["paths"]]
    start = cfg["start_at"]
    measure_from = start + cfg["warmup"]
    end = measure_from + cfg["duration"]
    records: list[list] = []
    lock = threading.Lock()

    def user(index: int, headers: dict[str, str]) -> None:
        rng = random.Random(cfg["seed"] * 1000 + index)
        conn = http.client.HTTPConnection(host, port, timeout=cfg["timeout"])
        mine = []
        while time.time() < start:
            time.sleep(0.01)
        while True:
            wall = time.time()
            if wall >= end:
                break
            key, path = rng.choice(paths)
            t0 = time.perf_counter()
            error = ""
            try:
                conn.request("GET", path, headers=headers)
                resp = conn.getresponse()
                body = resp.read()
                status = resp.status
                size = len(body)
            except (OSError, http.client.HTTPException) as exc:
                status, size, error = 0, 0, f"{exc.__class__.__name__}: {exc}"[:200]
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=cfg["timeout"])
            ms = (time.perf_counter() - t0) * 1000
            mine.append(
                [
                    "warmup" if wall < measure_from else "measure",
                    key,
                    status,
                    round(ms, 2),
                    round(wall, 3),
                    size,
                    error,
                ]
            )
        conn.close()
        with lock:
            records.extend(mine)

    threads = [
        threading.Thread(target=user, args=(i, h), daemon=True) for i, h in enumerate(cfg["users"])
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    Path(out_path).write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records))


# --- the drill -----------------------------------------------------------------------------------


def machine() -> dict:
    """What this drill adds to the machine line of bench/_common.py."""
    import django
    import gunicorn

    return {"django": django.get_version(), "gunicorn": gunicorn.__version__}


def sign_in(base: str, username: str) -> dict[str, str]:
    """One correct sign-in through the login form; the cookies of the new session."""
    import requests

    s = requests.Session()
    page = s.get(base + "/accounts/login/", timeout=30)
    m = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if page.status_code != 200 or not m or "csrftoken" not in s.cookies:
        raise SystemExit(f"login page: HTTP {page.status_code}, no CSRF token")
    resp = s.post(
        base + "/accounts/login/",
        data={
            "csrfmiddlewaretoken": m.group(1),
            "username": username,
            "password": PASSWORD,
            "next": "/",
        },
        allow_redirects=False,
        timeout=30,
    )
    if resp.status_code != 302 or "sessionid" not in s.cookies:
        # Stop at once: a second failed attempt would bring the name closer to a lockout.
        raise SystemExit(f"sign-in of {username} failed: HTTP {resp.status_code}")
    return {"sessionid": s.cookies["sessionid"], "csrftoken": s.cookies["csrftoken"]}


def cookie_header(cookies: dict[str, str]) -> dict[str, str]:
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}


def probe(base: str, headers: dict[str, str], paths: list[tuple[str, str]]) -> dict[str, int]:
    import requests

    return {
        key: requests.get(
            base + path, headers=headers, allow_redirects=False, timeout=60
        ).status_code
        for key, path in paths
    }


class CpuMeter:
    """CPU seconds per group of processes between two snapshots (from /proc)."""

    def __init__(self, groups: dict[str, callable]) -> None:
        self.groups = groups
        self.tick = os.sysconf("SC_CLK_TCK")

    def snapshot(self) -> dict[int, tuple[str, float]]:
        out = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            comm = stat[stat.index("(") + 1 : stat.rindex(")")]
            fields = stat.rsplit(")", 1)[1].split()
            pgrp = int(fields[2])
            cpu = (int(fields[11]) + int(fields[12])) / self.tick
            out[int(entry.name)] = (self.classify(int(entry.name), comm, pgrp), cpu)
        return out

    def classify(self, pid: int, comm: str, pgrp: int) -> str:
        for name, test in self.groups.items():
            if test(pid, comm, pgrp):
                return name
        return "other"

    @staticmethod
    def diff(a: dict, b: dict) -> dict[str, float]:
        used: dict[str, float] = defaultdict(float)
        for pid, (group, cpu) in b.items():
            used[group] += cpu - (a[pid][1] if pid in a else 0.0)
        return dict(used)


def total_cpu() -> tuple[float, float]:
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields), idle


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


def stats(records: list[list], seconds: float) -> dict:
    ms = [r[3] for r in records]
    errors = [r for r in records if not 200 <= r[2] <= 299]
    return {
        "requests": len(records),
        "rps": len(records) / seconds if seconds else 0.0,
        "p50": pct(ms, 50),
        "p95": pct(ms, 95),
        "p99": pct(ms, 99),
        "max": max(ms) if ms else float("nan"),
        "errors": len(errors),
        "statuses": dict(Counter(r[2] for r in records)),
        "kb": (sum(r[5] for r in records) / len(records) / 1024) if records else 0.0,
    }


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--client":
        client_main(sys.argv[2], sys.argv[3])
        return 0
    parser = _common.parser(__doc__, quick="10 users, 30 s measured after 5 s of warm-up")
    parser.add_argument("--duration", type=float, default=300)
    parser.add_argument("--warmup", type=float, default=20)
    parser.add_argument("--users", type=int, default=50, help="split evenly: browser / API")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=60, help="client socket timeout, s")
    parser.add_argument("--seed", type=int, default=20261126)
    args = parser.parse_args()
    if args.quick:
        args.users, args.duration, args.warmup = 10, 30, 5

    tmp = Path(tempfile.mkdtemp(prefix="sqf-drill-load-"))
    os.environ.update(ENV)
    os.environ["SQF_DATA_DIR"] = str(tmp / "data")
    os.environ["STATIC_ROOT"] = str(tmp / "static")  # DEBUG=false reads the manifest
    for name in UNSET:
        os.environ.pop(name, None)
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    gunicorn: subprocess.Popen | None = None
    clients: list[subprocess.Popen] = []
    failures: list[str] = []
    django_ready = False
    try:
        import redis

        redis.Redis.from_url(REDIS).flushdb()
        say(f"redis {REDIS} flushed; database {DB}: create, migrate, seed_demo")
        _common.create_database(DB, seed_demo=True)
        t0 = time.perf_counter()
        manage("collectstatic", "--noinput", "-v0")
        say(f"  collectstatic: {time.perf_counter() - t0:.1f} s")
        tokens = {}
        for account in ACCOUNTS:
            out = manage("drf_create_token", account)
            m = re.search(r"\b([0-9a-f]{40})\b", out)
            if not m:
                raise SystemExit(f"no token in: {out}")
            tokens[account] = m.group(1)

        import django

        django.setup()
        django_ready = True
        from django.db import connections

        from sbsh.models import Publication, Version

        v2 = Version.objects.get(framework__sector_ru="Электроэнергетика", number=2)
        framework = Publication.objects.get(version__framework=v2.framework).framework_id
        say(f"demo version 2: pk {v2.pk} ({v2.status}); registry framework {framework}")
        _common.print_machine(**machine())
        connections.close_all()

        html_paths = [
            ("sqf overview", f"/sqf/{v2.pk}/"),
            ("sqf table1", f"/sqf/{v2.pk}/table1/"),
            ("sqf table3", f"/sqf/{v2.pk}/table3/"),
            ("home", "/"),
            ("registry search", f"/registry/?q={Q}"),
            ("registry sqf", f"/registry/{framework}/"),
        ]
        api_paths = [
            ("api versions", "/api/versions/"),
            ("api parts", f"/api/versions/{v2.pk}/parts/"),
            ("api registry search", f"/api/registry/publications/?q={Q}"),
        ]

        log = tmp / "gunicorn.log"
        access = tmp / "access.log"
        base, gunicorn = _common.start_gunicorn(
            os.environ.copy(),
            log,
            workers=args.workers,
            extra=(
                "--access-logfile",
                str(access),
                "--access-logformat",
                '%(s)s %(m)s "%(U)s" %(M)s',
            ),
        )
        port = int(base.rsplit(":", 1)[1])
        wait_healthy(base, gunicorn, log)
        say(f"gunicorn pid {gunicorn.pid}, {args.workers} sync workers on {base}")

        # --- setup: accounts, sessions, tokens (not measured) ---------------------------------
        n_html = args.users // 2
        n_api = args.users - n_html
        first_sessions, html_ok, api_ok = {}, [], []
        for account in ACCOUNTS:
            cookies = sign_in(base, account)
            first_sessions[account] = cookies
            codes = probe(base, cookie_header(cookies), html_paths)
            api_codes = probe(base, {"Authorization": f"Token {tokens[account]}"}, api_paths)
            say(f"  {account}: pages {codes}; API {api_codes}")
            if all(c == 200 for c in codes.values()):
                html_ok.append(account)
            if all(c == 200 for c in api_codes.values()):
                api_ok.append(account)
        if not html_ok or not api_ok:
            raise SystemExit(f"no account passes every path: pages {html_ok}, API {api_ok}")
        say(f"browser accounts: {html_ok}; API accounts: {api_ok}")
        html_users, html_accounts = [], []
        for i in range(n_html):
            account = html_ok[i % len(html_ok)]
            cookies = first_sessions.pop(account, None) or sign_in(base, account)
            html_users.append(cookie_header(cookies))
            html_accounts.append(account)
        api_users = [
            {"Authorization": f"Token {tokens[api_ok[i % len(api_ok)]]}"} for i in range(n_api)
        ]
        say(
            f"{n_html} browser sessions ({dict(Counter(html_accounts))}), "
            f"{n_api} API users ({dict(Counter(api_ok[i % len(api_ok)] for i in range(n_api)))})"
        )

        # --- load ------------------------------------------------------------------------------
        start_at = time.time() + 3
        common = {
            "host": "127.0.0.1",
            "port": port,
            "start_at": start_at,
            "warmup": args.warmup,
            "duration": args.duration,
            "timeout": args.timeout,
            "seed": args.seed,
        }
        outs = {}
        client_pids: set[int] = set()
        for kind, users, paths in (
            ("browser", html_users, html_paths),
            ("api", api_users, api_paths),
        ):
            cfg = tmp / f"client-{kind}.json"
            cfg.write_text(
                json.dumps(
                    {**common, "users": users, "paths": paths, "seed": args.seed + len(outs)}
                )
            )
            outs[kind] = tmp / f"records-{kind}.jsonl"
            proc = subprocess.Popen(
                [sys.executable, __file__, "--client", str(cfg), str(outs[kind])],
                cwd=ROOT,
                start_new_session=True,
            )
            clients.append(proc)
            client_pids.add(proc.pid)
        gpgid = gunicorn.pid
        meter = CpuMeter(
            {
                "gunicorn": lambda pid, comm, pgrp: pgrp == gpgid,
                "load generators": lambda pid, comm, pgrp: pid in client_pids,
                "postgres": lambda pid, comm, pgrp: comm.startswith("postgres"),
                "redis": lambda pid, comm, pgrp: comm.startswith("redis"),
            }
        )
        while time.time() < start_at + args.warmup:
            time.sleep(0.2)
        cpu0, tot0 = meter.snapshot(), total_cpu()
        samples = []
        disturbed: set[str] = set()
        end_at = start_at + args.warmup + args.duration
        cpu1 = tot1 = None
        while any(c.poll() is None for c in clients):
            time.sleep(1 if time.time() < end_at - 6 else 0.1)
            if cpu1 is None and time.time() >= end_at - 0.2:
                # Before the generators exit (an exited process drops out of /proc).
                cpu1, tot1 = meter.snapshot(), total_cpu()
            if len(samples) < (time.time() - start_at - args.warmup) // 5:
                samples.append((time.time() - start_at - args.warmup, os.getloadavg()[0]))
                others = subprocess.run(
                    ["pgrep", "-af", OTHER_LOAD], capture_output=True, text=True
                ).stdout.splitlines()
                # A `flock` still waiting for the shared lock runs nothing yet.
                disturbed.update(line[:160] for line in others if line.split()[1:2] != ["flock"])
            if time.time() > end_at + args.timeout + 30:
                failures.append("load generators did not finish in time")
                break
        if cpu1 is None:
            cpu1, tot1 = meter.snapshot(), total_cpu()
        for c in clients:
            if c.returncode not in (0, None):
                failures.append(f"load generator exited {c.returncode}")
        if disturbed:
            failures.append(
                f"other test or benchmark processes ran during the load: {sorted(disturbed)}"
            )

        # --- report ----------------------------------------------------------------------------
        records = {
            k: [json.loads(x) for x in p.read_text().splitlines() if x] for k, p in outs.items()
        }
        measured = {k: [r for r in v if r[0] == "measure"] for k, v in records.items()}
        warm = [r for v in records.values() for r in v if r[0] == "warmup"]
        every = [r for v in measured.values() for r in v]
        t_first = start_at + args.warmup
        t_last = max(r[4] + r[3] / 1000 for r in every)
        seconds = t_last - t_first

        say(
            f"\nwarm-up ({args.warmup:.0f} s, not counted): {len(warm)} requests, "
            f"{sum(1 for r in warm if not 200 <= r[2] <= 299)} errors"
        )
        say(
            f"measured: {seconds:.1f} s (from the end of the warm-up to the last response), "
            f"{args.users} users ({n_html} browser, {n_api} API)\n"
        )
        say(
            "| endpoint | path | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | KB | errors |"
        )
        say("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        table = {}
        for kind, paths in (("browser", html_paths), ("api", api_paths)):
            for key, path in paths:
                s = stats([r for r in measured[kind] if r[1] == key], seconds)
                table[key] = s
                say(
                    f"| {key} | `{urllib.parse.unquote(path)}` | {s['requests']} | {s['rps']:.1f} "
                    f"| {s['p50']:.0f} | {s['p95']:.0f} | {s['p99']:.0f} | {s['max']:.0f} "
                    f"| {s['kb']:.0f} | {s['errors']} |"
                )
        for label, recs in (
            ("browser (session)", measured["browser"]),
            ("API (token)", measured["api"]),
            ("**all**", every),
        ):
            s = stats(recs, seconds)
            table[label] = s
            say(
                f"| {label} | | {s['requests']} | {s['rps']:.1f} | {s['p50']:.0f} | {s['p95']:.0f} "
                f"| {s['p99']:.0f} | {s['max']:.0f} | {s['kb']:.0f} | {s['errors']} |"
            )
        total_errors = table["**all**"]["errors"]
        say(f"\nstatus codes (measured): {dict(Counter(r[2] for r in every))}")
        kinds = Counter(r[6].split(":")[0] for r in every if r[6])
        if kinds:
            say(f"client-side errors: {dict(kinds)}")
        if total_errors:
            failures.append(f"{total_errors} requests were not 2xx")
            by = Counter((r[1], r[2]) for r in every if not 200 <= r[2] <= 299)
            say(f"errors by endpoint and status: {dict(by)}")

        say("\n| seconds | requests | req/s | p50 ms | p95 ms | errors |")
        say("|---|---:|---:|---:|---:|---:|")
        step = 30
        for b in range(0, int(seconds + step - 1) // step):
            lo, hi = t_first + b * step, t_first + (b + 1) * step
            recs = [r for r in every if lo <= r[4] < hi]
            s = stats(recs, min(step, max(0.001, t_last - lo)))
            say(
                f"| {b * step}–{(b + 1) * step} | {s['requests']} | {s['rps']:.1f} | {s['p50']:.0f} "
                f"| {s['p95']:.0f} | {s['errors']} |"
            )

        used = CpuMeter.diff(cpu0, cpu1)
        wall_cpu = (tot1[0] - tot0[0]) / os.sysconf("SC_CLK_TCK")
        busy = 1 - (tot1[1] - tot0[1]) / max(1, tot1[0] - tot0[0])
        say(
            f"\nCPU during the measured window: machine busy {busy * 100:.0f} % of "
            f"{os.cpu_count()} vCPUs; CPU seconds by group (of {wall_cpu:.0f} available):"
        )
        for group, secs in sorted(used.items(), key=lambda x: -x[1]):
            say(f"  {group}: {secs:.0f} s")
        # Processes that started and ended inside the window are not in either snapshot.
        used["unaccounted (exited processes, kernel)"] = max(
            0.0, busy * wall_cpu - sum(used.values())
        )
        say(
            f"  unaccounted (processes that exited in the window, kernel): "
            f"{used['unaccounted (exited processes, kernel)']:.0f} s"
        )
        loads = [x[1] for x in samples]
        if loads:
            say(f"load average (1 min) during the run: min {min(loads):.2f}, max {max(loads):.2f}")

        access_lines = access.read_text(errors="replace").splitlines() if access.exists() else []
        server_status = Counter(line.split(" ", 1)[0] for line in access_lines)
        server_log = log.read_text(errors="replace")
        tracebacks = server_log.count("Traceback")
        timeouts = server_log.count("WORKER TIMEOUT")
        say(
            f"gunicorn access log (setup, warm-up and load): {dict(server_status)}; "
            f"tracebacks {tracebacks}; worker timeouts {timeouts}"
        )
        if tracebacks or timeouts:
            failures.append(f"gunicorn log: {tracebacks} tracebacks, {timeouts} worker timeouts")
            say(server_log[-3000:])
        summary = {
            "seconds": round(seconds, 1),
            "users": {"browser": n_html, "api": n_api},
            "accounts": {"browser": html_ok, "api": api_ok},
            "table": {
                k: {kk: (round(vv, 1) if isinstance(vv, float) else vv) for kk, vv in v.items()}
                for k, v in table.items()
            },
            "errors": total_errors,
            "cpu_seconds": {k: round(v) for k, v in used.items()},
            "machine_busy_pct": round(busy * 100),
            "server_status": dict(server_status),
            "tracebacks": tracebacks,
            "worker_timeouts": timeouts,
            "disturbed_by": sorted(disturbed),
        }
        say("\nSUMMARY " + json.dumps(summary, ensure_ascii=False))
    finally:
        for c in clients:
            if c.poll() is None:
                os.killpg(c.pid, signal.SIGKILL)
                c.wait()
        if gunicorn is not None and gunicorn.poll() is None:
            gunicorn.send_signal(signal.SIGTERM)
            try:
                gunicorn.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(gunicorn.pid, signal.SIGKILL)
                gunicorn.wait()
        if django_ready:
            from django.db import connections

            connections.close_all()
        if args.keep:
            say(f"database {DB} and folder {tmp} kept")
        else:
            pg_admin(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
            shutil.rmtree(tmp, ignore_errors=True)
            say(f"database {DB} dropped, {tmp} removed")
        try:
            import redis

            redis.Redis.from_url(REDIS).flushdb()
        except Exception as exc:
            say(f"could not flush {REDIS}: {exc}")
    if failures:
        say("\nFAILURES:")
        for f in failures:
            say(f"  - {f}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
