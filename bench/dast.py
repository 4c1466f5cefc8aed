"""DAST smoke: wapiti3 against the app under gunicorn on loopback, anonymous, signed in
and over the API by its OpenAPI schema.

  .venv/bin/python bench/dast.py [--quick] [--ref REF [--with PATH]...]
                                 [--scans anonymous,session,api]
                                 [--crawl-time S] [--attack-time S] [--workers 3]
                                 [--reports DIR] [--keep]

Not a test: it prints figures for docs/security.md (row 24) and docs/benchmarks.md
("DAST smoke (wapiti3)"). It needs PostgreSQL at 127.0.0.1:5432 (user postgres, no
password) and Redis at 127.0.0.1:6379 (database 9, flushed at start and end); gunicorn
listens on a free port. About 15 minutes (plus about 1 min to install wapiti3 the first
time); --quick runs the anonymous scan alone with short limits, about 3 min. Exit 0 only when every finding is on the reviewed ACCEPTED list
below, the server answered no 5xx other than the registry's designed 503 "document being
prepared", neither gunicorn nor the Celery worker logged an error with a traceback, and
each scan ran to its end (the signed-in one still signed in).

The code under test is the working tree, or with --ref a commit exported with `git
archive` into the temporary folder (its translations compiled there), so that work in
progress in the checkout cannot change under the scan; --with PATH takes that file from
the working tree into the export (a fix under review).

1. wapiti3 lives in its own venv, `.venv-dast` (created here if missing: `python -m venv
   .venv-dast`, `pip install wapiti3==3.2.3`, the newest offered for Python 3.11). It
   pins an asgiref older than Django 5.2 accepts, so it must never go into `.venv`.
2. Creates its own `sqf_bench_dast_seed_<pid>`, runs `manage.py migrate`, `manage.py
   seed_demo` and `manage.py collectstatic` (into the temporary folder: with DEBUG off
   the static files come from WhiteNoise's manifest), and stores there a signed-in
   session and a DRF token for the demo user `drafter`: the session server-side
   (SessionStore with Django's auth keys and the app's timeout clocks), the token with
   rest_framework's Token model.
3. Each scan starts from that seeded demo (the signed-in scan submits forms that move
   version 2 on; the next scan would find nothing left to edit): `sqf_bench_dast_<pid>`
   is created anew as a copy of it (`CREATE DATABASE … TEMPLATE`), Redis database 9 is
   flushed, and gunicorn starts on 127.0.0.1:<free port> as docker-compose runs it
   (`config.wsgi`, 3 sync workers, `--timeout 60`) with a Celery worker (`celery -A
   config worker`, concurrency 1: the document renders the pages ask for); both stop
   after the scan. Production settings except TLS:
   DEBUG=false, a random 60-character SECRET_KEY, ALLOWED_HOSTS=127.0.0.1, HTTPS=false
   (plain http on loopback: no Secure cookies, no HSTS, no redirect), two-step sign-in
   not required (SQF_MFA_REQUIRED=false; the demo users have no authenticator). The
   access log, gunicorn's error log (stderr: Django's log with its tracebacks) and the
   worker's log go to files in the temporary folder.
4. Runs wapiti three times, each with the default modules plus csrf, crlf, xxe and
   methods (MODULES), a JSON report, a crawl limit (--max-scan-time), a limit per attack
   module (--max-attack-time), at most 30 pages per folder (--max-files-per-dir: the
   classifier pages are thousands of one view) and `--no-bugreport` (nothing leaves the
   machine; the ssrf and xxe modules' out-of-band checks ask wapiti3.ovh, which does not
   resolve here, so only their in-band detection works):
   - anonymous: the whole site, scope folder from `/`;
   - session: the same signed in as `drafter`: the session is handed to wapiti as a
     cookie file (`-c`); the logout URL is excluded (`-x`), and after the scan the
     script checks the session is still signed in. The crawl submits every form once
     with its defaults, the last option of a select: for version 2's moves that is
     "withdraw", which would end the editing the rest of the scan attacks, so that one
     URL is excluded too;
   - api: `--swagger` with the schema served at /api/schema/?format=json, saved to a
     local file with `servers` set to the app and the path parameters defaulted to real
     objects of the demo (version 2, its parts and Table 1 rows, the grounds…) so the
     requests reach data instead of 404s, and the request bodies reduced to JSON (given
     JSON, form and multipart, wapiti 3.2.3 sends the JSON text as a form field name);
     `-H "Authorization: Token …"` (drafter's DRF token); scope folder from `/api/`;
     the moves endpoint excluded (its browsable form's default is "withdraw"). Then a POST to the API with drafter's session
     cookie and no CSRF token must be refused (403): that is what makes wapiti's "no
     anti-CSRF token" on the token-authenticated API an accepted finding.
   wapiti 3.2.3 sometimes dies with "database is locked" in its own SQLite session store
   when a module is cut off by its time limit; such a scan is run once more (reported).
5. Prints per scan: resources crawled (wapiti), requests (gunicorn's access log; requests
   gunicorn refuses itself, such as a header with a CR/LF, are not in it), status
   classes, wall time, which modules hit their time limit; the findings per category and
   module (vulnerabilities, anomalies, additionals), then each new one, and the accepted
   ones grouped with their reason; the 5xx responses and the tracebacks, grouped by
   cause; what the server logged by level (CSRF refusals, denied access, lockouts).
6. Stops gunicorn and the worker, drops both databases, flushes Redis database 9
   (try/finally; --keep leaves the databases and the temporary folder). The JSON reports
   and the logs are copied to --reports (default var/dast/<time>/, ignored by git).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

import _common
from _common import PG, ROOT, pg_admin, say

# The code under test: the working tree, or with --ref an exported commit (git archive).
CODE = ROOT
DAST_VENV = ROOT / ".venv-dast"
WAPITI_PIN = "wapiti3==3.2.3"
DB = _common.db_name("dast")
SEED = _common.db_name("dast", "seed")  # migrated and seeded once; each scan gets a copy
REDIS = "redis://127.0.0.1:6379/9"
HOST, PORT = "127.0.0.1", _common.free_port()
BASE = f"http://{HOST}:{PORT}"
ENV = {
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}",
    "REDIS_URL": REDIS,
    "SECRET_KEY": "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(60)),
    "ALLOWED_HOSTS": HOST,
    "DEBUG": "false",
    "HTTPS": "false",
    "SQF_MFA_REQUIRED": "false",
    "DJANGO_SETTINGS_MODULE": "config.settings",
}
UNSET = ("CELERY_TASK_ALWAYS_EAGER", "CELERY_BROKER_URL", "SECURE_SSL_REDIRECT", "STATIC_ROOT")
USER = "drafter"
# wapiti's default ("common": cookieflags, csp, exec, file, http_headers, permanentxss,
# redirect, sql, ssl, ssrf, upload, xss), plus the modules that fit a Django app with
# forms and a JSON API. Left out: brute force and file guessing (buster, nikto, backup,
# htaccess, brute_login_form), products the app does not use (cms, wp_enum, spring4shell,
# log4shell, shellshock, network_device, takeover, wapp), timesql (minutes of sleeps per
# parameter; sql's error and boolean tests run), https_redirect (plain http by design).
MODULES = "common,csrf,crlf,xxe,methods"
N_MODULES = 16  # what MODULES expands to; bounds the backstop timeout of a scan
LOGOUT = f"{BASE}/accounts/logout/"
# The crawl submits every form it finds once, with its default values: the last option of a
# select. For the moves of version 2 that is "withdraw", which ends the editing the rest of
# the scan would attack (sbsh/workflow/moves.py; who may move is rows 3 and 8 of security.md).
NO_WITHDRAW = f"{BASE}/sqf/*/move/withdraw/*"
NO_API_MOVES = f"{BASE}/api/versions/*/moves/*"
# The registry answers 503 with Retry-After while a document is being rendered
# (registry/views.py, registry_download): by design, not an error.
DESIGNED_503 = re.compile(r"^/registry/\d+/v\d+/(kk|ru)\.(docx|pdf)$")


@dataclass(frozen=True)
class Scan:
    name: str
    url: str
    crawl: float  # --max-scan-time: the crawl
    attack: float  # --max-attack-time: each attack module


SCANS = {
    "anonymous": Scan("anonymous", f"{BASE}/", crawl=60, attack=30),
    "session": Scan("session", f"{BASE}/", crawl=60, attack=30),
    "api": Scan("api", f"{BASE}/api/", crawl=30, attack=20),
}


@dataclass(frozen=True)
class Accepted:
    """A reviewed finding: matched on the wapiti category and module, the path and the
    info (regular expressions, searched); `scans` limits it to some scans."""

    category: str
    module: str
    path: str
    info: str
    reason: str
    scans: tuple[str, ...] = ("anonymous", "session", "api")
    # The name of a check this run makes (main(): `checks`) that must have passed.
    requires: str = ""

    def matches(self, scan: str, f: dict, checks: dict[str, bool]) -> bool:
        return (
            scan in self.scans
            and (not self.requires or checks.get(self.requires, False))
            and re.search(self.category, f["category"]) is not None
            and re.search(self.module, f["module"]) is not None
            and re.search(self.path, f["path"]) is not None
            and re.search(self.info, f["info"]) is not None
        )


# Reviewed findings (docs/benchmarks.md, "DAST smoke (wapiti3)"). Anything else is new and
# fails the run.
ACCEPTED: list[Accepted] = [
    Accepted(
        "^Secure Flag cookie$",
        "^cookieflags$",
        "",
        r"cookie : (sessionid|csrftoken|sqf_language)$",
        "the scan is plain http on loopback (HTTPS=false). With HTTPS=true the settings set "
        "SESSION_COOKIE_SECURE, CSRF_COOKIE_SECURE and LANGUAGE_COOKIE_SECURE and "
        "config/views.language_set sets secure=settings.HTTPS (check --deploy, row 1)",
    ),
    Accepted(
        "^HTTP Methods$",
        "^methods$",
        "",
        r"^Possible interesting methods \(using (OPTIONS|heuristics)\) on \S+:"
        r"( (OPTIONS|HEAD|POST|PUT|PATCH|DELETE) \(\d{3}\))*$",
        "an inventory, not a flaw: for each page wapiti lists the methods of its Allow header "
        "that answer differently from GET (OPTIONS 405 on Django views, POST on forms, "
        "PUT/DELETE on the API); each is declared by the view, and who may use it is tested "
        "in CI (rows 2, 3, 6). TRACE or CONNECT would not match and would be new",
    ),
    Accepted(
        "^HTTP Methods$",
        "^methods$",
        "",
        r"^Possible interesting methods \(using heuristics\) on \S+:( [A-Z]+ \(404\))+$",
        "no route there (/api/ has no root view): every method answers 404",
    ),
    Accepted(
        "^Cross Site Request Forgery$",
        "^csrf$",
        "^/api/",
        r"^Lack of anti CSRF token$",
        "the API scan signs in by `Authorization: Token`, which a browser never adds to a "
        "cross-site request, so there is nothing to forge; wapiti only notes that the form "
        "has no token field. A request signed in by the session cookie must carry the CSRF "
        "token (DRF SessionAuthentication): this run checks it, see `requires`",
        scans=("api",),
        requires="api_csrf",
    ),
]


def manage(*args: str) -> str:
    """manage.py of the code under test (the checkout, or the exported --ref)."""
    return _common.manage(*args, cwd=CODE)


def wapiti_version() -> str:
    proc = subprocess.run(
        [
            str(DAST_VENV / "bin/python"),
            "-c",
            "from importlib.metadata import version; print(version('wapiti3'))",
        ],
        capture_output=True,
        text=True,
    )
    return proc.stdout.strip() if proc.returncode == 0 else ""


def ensure_wapiti() -> str:
    """The separate venv with wapiti3; created when missing. Returns the wapiti version."""
    version = wapiti_version() if (DAST_VENV / "bin/wapiti").exists() else ""
    if version:
        return version
    say(f"creating {DAST_VENV.name} and installing {WAPITI_PIN} (about 1 min)")
    subprocess.run([sys.executable, "-m", "venv", str(DAST_VENV)], check=True)
    pip = [str(DAST_VENV / "bin/python"), "-m", "pip", "install", "-q"]
    if subprocess.run([*pip, WAPITI_PIN]).returncode != 0:
        say(f"{WAPITI_PIN} is not offered; installing the version pip offers")
        subprocess.run([*pip, "wapiti3"], check=True)
    version = wapiti_version()
    if not version:
        raise SystemExit("wapiti3 did not install into .venv-dast")
    return version


def machine(wapiti: str, ref: str | None, taken: list[str]) -> dict:
    """What this drill adds to the machine line of bench/_common.py."""

    def run(*cmd: str) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True).stdout.strip()
        except OSError:
            return "?"

    import celery
    import django
    import gunicorn

    return {
        "django": django.get_version(),
        "gunicorn": gunicorn.__version__,
        "celery": celery.__version__,
        "wapiti3": wapiti,
        "code": (
            f"{run('git', '-C', str(ROOT), 'rev-parse', '--short', ref)} ({ref}, exported)"
            + (f" with {', '.join(taken)} from the working tree" if taken else "")
            if ref
            else f"working tree on {run('git', '-C', str(ROOT), 'rev-parse', '--short', 'HEAD')}"
        ),
        # Without --ref: what differs from the commit.
        **(
            {}
            if ref
            else {
                "uncommitted": run(
                    "git", "-C", str(ROOT), "status", "--short", "--untracked-files=no"
                ).replace("\n", ", ")
            }
        ),
    }


def port_is_free(port: int) -> bool:
    """Nothing listens there (connections of the last run in TIME_WAIT do not count;
    gunicorn binds with SO_REUSEADDR)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    return True


def wait_healthy(proc: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited ({proc.returncode}):\n{log.read_text()[-4000:]}")
        try:
            if requests.get(BASE + "/health/", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise SystemExit(f"/health/ did not answer 200 in {timeout:.0f} s:\n{log.read_text()[-4000:]}")


def wait_worker(proc: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace") if log.exists() else ""
        if proc.poll() is not None:
            raise SystemExit(f"the Celery worker exited ({proc.returncode}):\n{text[-4000:]}")
        if re.search(r"\bready\.", text):
            return
        time.sleep(0.3)
    raise SystemExit(f"the Celery worker was not ready in {timeout:.0f} s")


def stop(proc: subprocess.Popen | None) -> None:
    """SIGTERM to the process group we started (its own session), then SIGKILL."""
    if proc is None or proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def demo_objects() -> dict:
    """A signed-in session and a DRF token for USER, and the ids of the demo's objects that
    the API's path parameters name. Runs in this process (django.setup() done)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from rest_framework.authtoken.models import Token

    from classifiers.models import CrosswalkLink, Edition, Node
    from sbsh.models import Ground, Publication, Recommendation, Version

    user = get_user_model().objects.get(username=USER)
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    # What django.contrib.auth.login() stores, and the clocks the app's
    # SessionTimeoutMiddleware starts at sign-in (councils.middleware.session_started).
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    now = int(time.time())
    store["auth_started"] = now
    store["seen_at"] = now
    store.create()
    token, _ = Token.objects.get_or_create(user=user)

    v2 = Version.objects.get(framework__sector_ru="Электроэнергетика", number=2)
    part = v2.parts.order_by("pk").first()
    row = v2.table1_rows.order_by("pk").first()

    def first(qs) -> int | None:
        obj = qs.order_by("pk").first()
        return obj.pk if obj else None

    return {
        "session": store.session_key,
        "token": token.key,
        "version": v2.pk,
        "part": part.key if part else None,
        "table1": row.pk if row else None,
        "ground": first(Ground.objects.all()),
        "recommendation": first(Recommendation.objects.all()),
        "publication": first(Publication.objects.all()),
        "edition": first(Edition.objects.all()),
        "node": first(Node.objects.all()),
        "crosswalk": first(CrosswalkLink.objects.all()),
    }


def path_defaults(path: str, ids: dict) -> dict[str, object]:
    """Values for the path parameters of one API path of the schema."""
    out: dict[str, object] = {"version_pk": ids["version"], "key": ids["part"]}
    for prefix, key in (
        ("/api/versions/{version_pk}/table1/", "table1"),
        ("/api/versions/", "version"),
        ("/api/grounds/", "ground"),
        ("/api/recommendations/", "recommendation"),
        ("/api/registry/publications/", "publication"),
        ("/api/classifiers/editions/", "edition"),
        ("/api/classifiers/nodes/", "node"),
        ("/api/classifiers/crosswalk/", "crosswalk"),
    ):
        if path.startswith(prefix):
            out["id"] = ids[key]
            break
    return {k: v for k, v in out.items() if v is not None}


def api_schema(token: str, ids: dict, dest: Path) -> int:
    """Fetch the served OpenAPI schema, point it at the app and default its path
    parameters to real objects; returns the number of operations."""
    import requests

    resp = requests.get(
        f"{BASE}/api/schema/?format=json", headers={"Authorization": f"Token {token}"}, timeout=60
    )
    resp.raise_for_status()
    schema = resp.json()
    # wapiti joins the server URL and the path; the paths already start with /api/.
    schema["servers"] = [{"url": BASE}]
    operations = 0
    for path, item in schema["paths"].items():
        values = path_defaults(path, ids)
        for method, op in item.items():
            if not isinstance(op, dict):
                continue
            operations += method in ("get", "post", "put", "patch", "delete")
            for param in op.get("parameters", []):
                if param.get("in") == "path" and param["name"] in values:
                    param.setdefault("schema", {})["default"] = values[param["name"]]
            # Given JSON, form and multipart, wapiti 3.2.3 sends the JSON text as the name of
            # a form field (`%7B%22name%22…=`): every write is a 400 before any check. With
            # JSON alone it sends JSON.
            content = op.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                op["requestBody"]["content"] = {"application/json": content["application/json"]}
    # wapiti_swagger reads a file by its extension.
    dest.write_text(json.dumps(schema, ensure_ascii=False, indent=1))
    return operations


def api_csrf_enforced(ids: dict) -> bool:
    """The API refuses a POST signed in by the session cookie without a CSRF token (DRF's
    SessionAuthentication), before it reads the body: 403 "CSRF Failed", nothing written."""
    import requests

    resp = requests.post(
        f"{BASE}/api/versions/{ids['version']}/comments/",
        cookies={"sessionid": ids["session"]},
        json={},
        timeout=30,
    )
    return resp.status_code == 403 and "CSRF" in resp.text


def high_water(dbname: str) -> dict[str, int]:
    """The last ids of the audit trail and the move log."""
    import psycopg2

    conn = psycopg2.connect(dbname=dbname, **PG)
    try:
        with conn.cursor() as cur:
            out = {}
            for table in ("councils_auditevent", "sbsh_versiontransition"):
                cur.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
                out[table] = cur.fetchone()[0]
            return out
    finally:
        conn.close()


def writes_since(dbname: str, since: dict[str, int]) -> tuple[Counter, list[str]]:
    """What the scan changed in the app, from the audit trail (actions) and the move log."""
    import psycopg2

    conn = psycopg2.connect(dbname=dbname, **PG)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT action, count(*) FROM councils_auditevent WHERE id > %s GROUP BY action",
                (since["councils_auditevent"],),
            )
            actions = Counter(dict(cur.fetchall()))
            cur.execute(
                "SELECT t.version_id, t.name, t.source, t.target, u.username "
                "FROM sbsh_versiontransition t JOIN councils_user u ON u.id = t.actor_id "
                "WHERE t.id > %s ORDER BY t.id",
                (since["sbsh_versiontransition"],),
            )
            moves = [f"v{v} {n}: {a} → {b} by {u}" for v, n, a, b, u in cur.fetchall()]
            return actions, moves
    finally:
        conn.close()


def session_alive(session: str) -> bool:
    """Is the session still signed in (the home page, not a redirect to the login)?"""
    import requests

    resp = requests.get(
        f"{BASE}/", cookies={"sessionid": session}, allow_redirects=False, timeout=30
    )
    return resp.status_code == 200


def log_lines(path: Path) -> int:
    if not path.exists():
        return 0
    with path.open("rb") as fh:
        return sum(1 for _ in fh)


def run_wapiti(scan: Scan, tmp: Path, extra: list[str]) -> dict:
    work = tmp / f"wapiti-{scan.name}"
    work.mkdir(exist_ok=True)
    report = work / "report.json"
    out = work / "stdout.log"
    cmd = [
        str(DAST_VENV / "bin/wapiti"),
        "-u",
        scan.url,
        "--scope",
        "folder",
        "-m",
        MODULES,
        "--max-scan-time",
        f"{scan.crawl:g}",
        "--max-attack-time",
        f"{scan.attack:g}",
        "--max-files-per-dir",
        "30",
        "--tasks",
        "8",
        "-t",
        "20",
        "-f",
        "json",
        "-o",
        str(report),
        "-dr",
        "1",
        "--flush-session",
        "--store-session",
        str(work / "session"),
        "--store-config",
        str(work / "config"),
        "--no-bugreport",
        "-v",
        "1",
        *extra,
    ]
    shown = [c if not c.startswith("Authorization") else "Authorization: Token …" for c in cmd]
    say(f"\n[{scan.name}] " + " ".join(shown).replace(str(tmp) + "/", "$TMP/"))
    # A module stops at its limit, but its running requests finish; the kill is a backstop.
    timeout = scan.crawl + N_MODULES * (scan.attack + 30) + 120
    retried = ""
    for attempt in (1, 2):
        report.unlink(missing_ok=True)
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            cmd, cwd=work, stdout=out.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            rc: int | str = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            rc = "killed (timeout)"
        wall = time.perf_counter() - t0
        text = out.read_text(errors="replace")
        if rc == 0 and report.exists():
            break
        if attempt == 1 and "database is locked" in text:
            retried = f"attempt 1 died after {wall:.0f} s: wapiti's session store was locked"
            say(f"[{scan.name}] {retried}; running it once more")
            shutil.copy(out, work / "stdout-attempt1.log")
            continue
        break
    modules_run = re.findall(r"Launching module (\w+)", text)
    stopped = re.findall(r"Max attack time was reached for module (\w+)", text)
    result: dict = {
        "rc": rc,
        "wall": wall,
        "retried": retried,
        "modules": modules_run,
        "attack_time_reached": stopped,
        "crawl_time_reached": "Max scan time was reached" in text,
    }
    if report.exists():
        result["json"] = json.loads(report.read_text())
    say(
        f"[{scan.name}] exit {rc}, {wall:.0f} s; modules run: {len(modules_run)}; crawl cut "
        f"by its limit: {'yes' if result['crawl_time_reached'] else 'no'}; modules cut by "
        f"their limit: {', '.join(stopped) or 'none'}"
    )
    return result


def findings(report: dict) -> list[dict]:
    out = []
    for kind in ("vulnerabilities", "anomalies", "additionals"):
        for category, items in (report.get(kind) or {}).items():
            for item in items:
                out.append(
                    {
                        "kind": kind,
                        "category": category,
                        "module": item.get("module", ""),
                        "method": item.get("method", ""),
                        "path": item.get("path", ""),
                        "parameter": item.get("parameter", ""),
                        "info": (item.get("info") or "").strip(),
                        "level": item.get("level"),
                        "request": item.get("http_request", ""),
                    }
                )
    return out


# A log record starts with Django's format (config/settings.py LOGGING), gunicorn's or
# Celery's; the lines after it (a traceback) belong to it.
RECORD_START = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ |\[\d{4}-\d\d-\d\d[ T])")
DJANGO_RECORD = re.compile(r"^\d{4}-\d\d-\d\d [\d:,]+ (?P<level>[A-Z]+) (?P<logger>\S+) ")
GUNICORN_RECORD = re.compile(r"^\[[^]]+\] \[\d+\] \[(?P<level>[A-Z]+)\] (?P<msg>.*)")
ERROR_RECORD = re.compile(
    r"^(\S+ \S+ (ERROR|CRITICAL) |\[[^]]+\] \[\d+\] \[(ERROR|CRITICAL)\]|\[[^]]+: (ERROR|CRITICAL)/)"
)


def tracebacks(text: str) -> list[str]:
    """The error records that hold a traceback. Django's WARNING records of refused
    requests (403 PermissionDenied) carry one too; log_levels() counts those."""
    records, current = [], []
    for line in text.splitlines():
        if RECORD_START.match(line) and current:
            records.append("\n".join(current))
            current = []
        current.append(line)
    if current:
        records.append("\n".join(current))
    return [
        r
        for r in records
        if "Traceback (most recent call last)" in r and ERROR_RECORD.match(r.split("\n", 1)[0])
    ]


def log_levels(text: str) -> Counter:
    """Records per level and logger (Django's format), or per level and message start
    (gunicorn's own)."""
    out: Counter = Counter()
    for line in text.splitlines():
        m = DJANGO_RECORD.match(line)
        if m:
            out[f"{m['level']} {m['logger']}"] += 1
            continue
        m = GUNICORN_RECORD.match(line)
        if m and m["level"] != "INFO":
            msg = re.sub(r"\(\d+ > \d+\)|ip=\S+", "…", m["msg"])
            out[f"{m['level']} gunicorn: {msg[:70]}"] += 1
    return out


def traceback_cause(record: str) -> str:
    """The exception line and the deepest frame in the project's own code."""
    lines = record.splitlines()
    exc = next((ln for ln in reversed(lines) if ln and not ln.startswith(" ")), "?")
    frames = [
        ln.strip()
        for ln in lines
        if ln.strip().startswith('File "') and str(CODE) in ln and "/.venv" not in ln
    ]
    return f"{exc} | {frames[-1] if frames else 'no project frame'}"


def short(text: str, n: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def main() -> int:
    parser = _common.parser(
        __doc__, quick="the anonymous scan only, crawl 30 s and 10 s per attack module"
    )
    parser.add_argument("--ref", help="scan this commit, exported with git archive")
    parser.add_argument(
        "--with",
        dest="taken",
        action="append",
        default=[],
        metavar="PATH",
        help="with --ref: take this file from the working tree (repeatable)",
    )
    parser.add_argument("--scans", default="anonymous,session,api")
    parser.add_argument("--crawl-time", type=float, help="override --max-scan-time of each scan")
    parser.add_argument("--attack-time", type=float, help="override --max-attack-time")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--reports", default=str(ROOT / "var" / "dast"))
    args = parser.parse_args()
    if args.quick:
        args.scans = "anonymous"
        args.crawl_time = 30 if args.crawl_time is None else args.crawl_time
        args.attack_time = 10 if args.attack_time is None else args.attack_time
    chosen = [s.strip() for s in args.scans.split(",") if s.strip()]
    unknown = sorted(set(chosen) - set(SCANS))
    if unknown:
        raise SystemExit(f"unknown scans: {unknown}; known: {sorted(SCANS)}")
    scans = [
        replace(
            SCANS[name],
            crawl=SCANS[name].crawl if args.crawl_time is None else args.crawl_time,
            attack=SCANS[name].attack if args.attack_time is None else args.attack_time,
        )
        for name in chosen
    ]
    if not port_is_free(PORT):
        raise SystemExit(f"port {PORT} is in use")
    if args.taken and not args.ref:
        raise SystemExit("--with needs --ref")
    for path in args.taken:
        if not (ROOT / path).is_file():
            raise SystemExit(f"--with {path}: no such file in the working tree")

    version = ensure_wapiti()
    tmp = Path(tempfile.mkdtemp(prefix="sqf-drill-dast-"))
    global CODE
    if args.ref:
        # Resolved once: others may commit while the scan runs.
        args.ref = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "--verify", f"{args.ref}^{{commit}}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        CODE = tmp / "code"
        CODE.mkdir()
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", "--format=tar", args.ref],
            capture_output=True,
            check=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(CODE)], input=archive, check=True)
        for path in args.taken:
            (CODE / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / path, CODE / path)
        # Subprocesses (manage.py, gunicorn, celery) import the export, not the checkout
        # that the editable install of .venv points at.
        os.environ["PYTHONPATH"] = str(CODE)
    os.environ.update(ENV)
    os.environ["SQF_DATA_DIR"] = str(tmp / "data")
    for name in UNSET:
        os.environ.pop(name, None)
    os.environ["STATIC_ROOT"] = str(tmp / "static")
    os.chdir(CODE)
    sys.path.insert(0, str(CODE))
    servers: list[subprocess.Popen] = []
    failures: list[str] = []
    django_ready = False
    results: dict[str, dict] = {}
    checks: dict[str, bool] = {}
    t_start = time.perf_counter()
    try:
        import redis

        say(
            f"database {SEED}: create, migrate, seed_demo, then the session "
            f"and token of {USER}; each scan gets {DB}, a fresh copy of it"
        )
        pg_admin(f"CREATE DATABASE {SEED}")
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{SEED}"
        t0 = time.perf_counter()
        if args.ref:
            # *.mo files are not in git; the checkout's belong to the working tree.
            manage("compilemessages", "-v0")
            say(f"code under test: {args.ref} exported to {CODE}")
        manage("migrate", "-v0")
        manage("seed_demo")
        manage("collectstatic", "--noinput", "-v0")
        say(f"  migrate, seed_demo, collectstatic: {time.perf_counter() - t0:.0f} s")

        import django

        django.setup()
        django_ready = True
        from django.db import connections

        import sbsh

        if Path(sbsh.__file__).resolve().parents[1] != CODE.resolve():
            raise SystemExit(f"sbsh was imported from {sbsh.__file__}, not from {CODE}")

        ids = demo_objects()
        connections.close_all()
        seeded = high_water(SEED)
        os.environ["DATABASE_URL"] = ENV["DATABASE_URL"]
        say(
            "demo objects: "
            + json.dumps({k: v for k, v in ids.items() if k not in ("session", "token")})
        )
        _common.print_machine(**machine(version, args.ref, args.taken))

        cookie_file = tmp / "cookies.json"
        cookie = {"value": ids["session"], "expires": None, "secure": False, "port": None}
        cookie_file.write_text(json.dumps({HOST: {"/": {"sessionid": {**cookie, "version": 0}}}}))
        schema_file = tmp / "openapi.json"
        extras = {
            "anonymous": ["-x", LOGOUT],
            "session": ["-c", str(cookie_file), "-x", LOGOUT, "-x", NO_WITHDRAW],
            "api": [
                "--swagger",
                str(schema_file),
                "-H",
                f"Authorization: Token {ids['token']}",
                "-x",
                NO_API_MOVES,
            ],
        }
        for scan in scans:
            # Each scan starts from the seeded demo: the signed-in scan submits forms that
            # move version 2 on, which would leave the API scan nothing to edit.
            redis.Redis.from_url(REDIS).flushdb()
            pg_admin(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
            pg_admin(f"CREATE DATABASE {DB} TEMPLATE {SEED}")
            logs = tmp / f"server-{scan.name}"
            logs.mkdir()
            log, access, celery_log = (
                logs / "gunicorn-error.log",
                logs / "gunicorn-access.log",
                logs / "celery.log",
            )
            _base, gunicorn = _common.start_gunicorn(
                os.environ.copy(),
                log,
                workers=args.workers,
                cwd=CODE,
                port=PORT,
                extra=(
                    "--access-logfile",
                    str(access),
                    "--access-logformat",
                    '%(s)s %(m)s "%(U)s" "%(q)s"',
                ),
            )
            servers.append(gunicorn)
            worker = subprocess.Popen(
                [
                    str(Path(sys.executable).parent / "celery"),
                    "-A",
                    "config",
                    "worker",
                    "-l",
                    "info",
                    "--concurrency",
                    "1",
                    "-n",
                    "dast@%h",
                ],
                cwd=CODE,
                env=os.environ.copy(),
                stdout=celery_log.open("wb"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            servers.append(worker)
            wait_healthy(gunicorn, log)
            wait_worker(worker, celery_log)
            say(
                f"\n[{scan.name}] {DB} copied from {SEED}; gunicorn pid {gunicorn.pid} "
                f"({args.workers} sync workers) on {BASE}; celery worker pid {worker.pid}"
            )
            if not session_alive(ids["session"]):
                raise SystemExit(f"the session made for {USER} is not signed in")
            if scan.name == "api":
                operations = api_schema(ids["token"], ids, schema_file)
                say(f"[api] schema: {operations} operations, saved to {schema_file.name}")
            skip = log_lines(access)
            res = run_wapiti(scan, tmp, extras[scan.name])
            if scan.name == "session":
                res["session_alive"] = session_alive(ids["session"])
                if not res["session_alive"]:
                    failures.append("session scan: the session was signed out during the scan")
            if scan.name == "api":
                checks["api_csrf"] = api_csrf_enforced(ids)
            stop(gunicorn)
            stop(worker)
            res["writes"], res["moves"] = writes_since(DB, seeded)
            lines = access.read_text(errors="replace").splitlines()[skip:]
            errorlog = log.read_text(errors="replace")
            celerylog = celery_log.read_text(errors="replace")
            res["requests"] = len(lines)
            res["status"] = Counter(line.split(" ", 1)[0] for line in lines)
            five = [line.split(" ") for line in lines if line.startswith("5")]
            res["5xx"] = Counter(f"{p[0]} {p[1]} {p[2]}" for p in five)
            res["5xx designed"] = sum(
                1 for p in five if p[0] == "503" and DESIGNED_503.match(p[2].strip('"'))
            )
            res["tracebacks"] = tracebacks(errorlog) + tracebacks(celerylog)
            res["levels"] = log_levels(errorlog)
            res["worker_timeouts"] = errorlog.count("WORKER TIMEOUT")
            res["renders"] = Counter(
                "succeeded" if " succeeded in " in ln else "failed"
                for ln in celerylog.splitlines()
                if "exports.tasks" in ln and (" succeeded in " in ln or " raised " in ln)
            )
            if res["rc"] != 0 or "json" not in res:
                failures.append(
                    f"{scan.name} scan: wapiti exit {res['rc']}, report written: {'json' in res}"
                )
            results[scan.name] = res
        if "api_csrf" in checks:
            say(
                "\n[api] a POST signed in by session cookie, without a CSRF token: "
                + ("refused (403 CSRF)" if checks["api_csrf"] else "**NOT refused**")
            )
            if not checks["api_csrf"]:
                failures.append("the API took a session-authenticated POST without a CSRF token")

        # --- report --------------------------------------------------------------------------
        say(
            "\n| scan | wall s | crawl / attack limit s | resources crawled | requests | 2xx "
            "| 3xx | 4xx | 5xx | modules cut by the limit |"
        )
        say("|---|---:|---|---:|---:|---:|---:|---:|---:|---|")
        for scan in scans:
            res = results.get(scan.name)
            if res is None:
                continue
            st: Counter = Counter()
            for code, n in res["status"].items():
                st[code[:1] + "xx"] += n
            crawled = (res.get("json") or {}).get("infos", {}).get("crawled_pages_nbr", "?")
            say(
                f"| {scan.name} | {res['wall']:.0f} | {scan.crawl:g} / {scan.attack:g} | {crawled} "
                f"| {res['requests']} | {st['2xx']} | {st['3xx']} | {st['4xx']} | {st['5xx']} "
                f"| {', '.join(res['attack_time_reached']) or 'none'} |"
            )

        all_findings: dict[str, list[dict]] = {}
        for name, res in results.items():
            items = findings(res.get("json") or {})
            for f in items:
                f["accepted"] = next((a for a in ACCEPTED if a.matches(name, f, checks)), None)
            all_findings[name] = items

        say("\nfindings by kind, category and module (new + accepted):\n")
        say("| kind | category | module | " + " | ".join(results) + " |")
        say("|---|---|---|" + "---:|" * len(results))
        keys = sorted(
            {(f["kind"], f["category"], f["module"]) for v in all_findings.values() for f in v}
        )
        for key in keys:
            cells = []
            for name in results:
                match = [
                    f for f in all_findings[name] if (f["kind"], f["category"], f["module"]) == key
                ]
                new = sum(1 for f in match if not f["accepted"])
                cells.append(f"{new} + {len(match) - new}" if match else "–")
            say(f"| {key[0]} | {key[1]} | {key[2]} | " + " | ".join(cells) + " |")
        if not keys:
            say("| – | – | – | " + " | ".join("0" for _ in results) + " |")

        new_total = 0
        for name, items in all_findings.items():
            new = [f for f in items if not f["accepted"]]
            new_total += len(new)
            say(
                f"\n[{name}] {len(items)} findings: {len(new)} new, {len(items) - len(new)} accepted"
            )
            for f in new[:40]:
                say(
                    f"  NEW {f['kind'][:-1]} | {f['category']} | {f['module']} | {f['method']} "
                    f"{f['path']} | parameter {f['parameter'] or '-'} | {short(f['info'], 400)}"
                )
                req = [ln for ln in f["request"].splitlines() if ln.strip()]
                if req:
                    say("      request: " + short(" ⏎ ".join(req), 600))
            if len(new) > 40:
                say(f"  … and {len(new) - 40} more new findings (see the JSON report)")
            grouped = defaultdict(list)
            for f in items:
                if f["accepted"]:
                    grouped[f["accepted"]].append(f)
            for acc, fs in grouped.items():
                what = sorted({re.sub(r"^.*cookie : ", "", f["info"]) for f in fs})
                detail = ", ".join(what) if acc.module == "^cookieflags$" else f"{len(fs)} pages"
                say(
                    f"  accepted ×{len(fs)}: {acc.category.strip('^$')} ({detail})\n"
                    f"      reason: {acc.reason}"
                )
        if new_total:
            failures.append(f"{new_total} findings not on the accepted list")

        for name, res in results.items():
            say(f"\n[{name}] server log by level and logger: {dict(res['levels'].most_common())}")
            if res["renders"]:
                say(f"[{name}] document renders by the worker: {dict(res['renders'])}")
            say(
                f"[{name}] what the scan changed (audit trail, by action): "
                f"{dict(res['writes'].most_common()) or 'nothing'}; moves: "
                f"{'; '.join(res['moves']) or 'none'}"
            )
            if res["retried"]:
                say(f"[{name}] {res['retried']}; the second attempt is the one reported")
            if res["5xx"]:
                say(f"[{name}] 5xx responses (access log): {dict(res['5xx'])}")
                undesigned = sum(res["5xx"].values()) - res["5xx designed"]
                if res["5xx designed"]:
                    say(
                        f"[{name}]   of which {res['5xx designed']} are the registry's designed "
                        "503 + Retry-After while a document is rendered"
                    )
                if undesigned:
                    failures.append(f"{name} scan: {undesigned} responses 5xx")
            causes = Counter(traceback_cause(r) for r in res["tracebacks"])
            if causes:
                failures.append(f"{name} scan: {len(res['tracebacks'])} tracebacks")
                say(f"[{name}] tracebacks in the logs: {len(res['tracebacks'])}")
                shown = set()
                for record in res["tracebacks"]:
                    cause = traceback_cause(record)
                    if cause in shown:
                        continue
                    shown.add(cause)
                    say(f"--- ×{causes[cause]}: {cause}\n{record[-3000:]}")
            if res["worker_timeouts"]:
                failures.append(f"{name} scan: {res['worker_timeouts']} worker timeouts")

        summary = {
            "wapiti3": version,
            "modules": MODULES,
            "total_s": round(time.perf_counter() - t_start),
            "scans": {
                scan.name: {
                    "wall_s": round(res["wall"], 1),
                    "limits_s": [scan.crawl, scan.attack],
                    "resources": (res.get("json") or {}).get("infos", {}).get("crawled_pages_nbr"),
                    "requests": res["requests"],
                    "status": dict(sorted(res["status"].items())),
                    "modules_run": len(res["modules"]),
                    "modules_cut": res["attack_time_reached"],
                    "crawl_cut": res["crawl_time_reached"],
                    "findings": dict(
                        Counter(
                            f"{f['kind']}/{f['module']}/{'accepted' if f['accepted'] else 'new'}"
                            for f in all_findings[scan.name]
                        )
                    ),
                    "5xx": sum(res["5xx"].values()),
                    "5xx_designed": res["5xx designed"],
                    "tracebacks": len(res["tracebacks"]),
                    "audited_writes": sum(res["writes"].values()),
                    "moves": res["moves"],
                    "retried": bool(res["retried"]),
                    **({"session_alive": res["session_alive"]} if "session_alive" in res else {}),
                }
                for scan in scans
                if (res := results.get(scan.name)) is not None
            },
        }
        say("\nSUMMARY " + json.dumps(summary, ensure_ascii=False))
    finally:
        for proc in servers:
            stop(proc)
        if django_ready:
            from django.db import connections

            connections.close_all()
        copied = [tmp / "openapi.json", *sorted(tmp.glob("server-*/*.log"))]
        if results or any(p.exists() for p in copied):
            dest = Path(args.reports) / time.strftime("%Y%m%d-%H%M%S")
            dest.mkdir(parents=True, exist_ok=True)
            for name in results:
                for fname in ("report.json", "stdout.log", "stdout-attempt1.log"):
                    src = tmp / f"wapiti-{name}" / fname
                    if src.exists():
                        shutil.copy(src, dest / f"{name}-{fname}")
            for src in copied:
                if src.exists():
                    prefix = src.parent.name.removeprefix("server-")
                    shutil.copy(
                        src, dest / (src.name if src.parent == tmp else f"{prefix}-{src.name}")
                    )
            say(f"reports and logs copied to {dest}")
        if args.keep:
            say(f"databases {DB}, {SEED} and folder {tmp} kept")
        else:
            for name in (DB, SEED):
                pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            shutil.rmtree(tmp, ignore_errors=True)
            say(f"databases {DB} and {SEED} dropped, {tmp} removed")
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
