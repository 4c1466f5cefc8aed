"""Load bench of the big tables: Table 1 and Table 3 editors under 20 concurrent clients
against gunicorn on PostgreSQL, against /health/ in the same run; the HTML size of each
view; the time to export the workbook of Tables 1–3 and to import 300 Table 3 rows.

  .venv/bin/python bench/editor_load.py [--clients 20] [--duration 60] [--warmup 10]
                                        [--workers 4] [--code DIR] [--keep]

Not a test: it prints the figures for docs/benchmarks.md ("Tables 1–3 at real size").
It needs PostgreSQL at 127.0.0.1:5432 (user postgres, no password); no Redis (sessions
are in the database, tasks run in-process).

1. Creates a database of its own (`sqf_bench_tables_<pid>`), migrates, loads the shipped
   classifiers, the calendar, the demo people and the demo SQF, and grows the demo
   version to 200 Table 1 rows and 300 Table 3 rows (bench/editor.py's `grow`), in
   drafting so that the drafter sees every edit control.
2. Starts gunicorn (`config.wsgi`, --workers sync workers, DEBUG=false) on a free port,
   from `--code DIR` if given (another checkout of the app, e.g. the code before a
   change: the same database serves both), else from this checkout.
3. Signs the drafter in once per client, then runs --clients threads in a closed loop
   with no think time for --warmup + --duration seconds, each picking at random among
   /health/, /sqf/<v>/table1/ and /sqf/<v>/table3/ and reading the whole body. Reports
   per path: requests, p50/p95/p99 ms (nearest rank), errors, HTML bytes; and the p95
   of each editor over the p95 of /health/ of the same run.
4. Unless --code points elsewhere: times, in this process, the workbook export of the
   grown version and the import of a workbook in which every one of the 300 Table 3
   rows changes (validate + apply, one transaction), and a dry run of an unchanged one.
5. Stops gunicorn and drops the database (--keep leaves it).
"""

from __future__ import annotations

import http.client
import io
import math
import os
import random
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import _common
from _common import ROOT, say
from load import cookie_header, sign_in

PASSWORD = "sqf-demo-2026"  # load.sign_in signs in with this one


def pct(values: list[float], q: float) -> float:
    """Nearest rank."""
    values = sorted(values)
    return values[max(0, math.ceil(q * len(values)) - 1)]


def seed() -> int:
    """Grow the demo version in this process (the database is migrated); returns the
    version id."""
    import editor  # sets Django up against DATABASE_URL

    from classifiers.demo import seed_classifiers
    from councils.demo import seed_organisations_and_people
    from deadlines.demo import seed_calendar
    from sbsh.demo import seed_demo_sqf
    from sbsh.models import Version

    seed_classifiers()
    seed_calendar()
    seed_organisations_and_people(password=PASSWORD)
    seed_demo_sqf()
    version = Version.objects.order_by("pk").first()
    editor.grow(version)
    distinct_table3(version)
    # The drafter's view of a draft: every edit control is on the page.
    Version.objects.filter(pk=version.pk).update(status="drafting")
    say(
        f"version {version.pk}: {version.table1_rows.count()} Table 1 rows, "
        f"{version.table3_rows.count()} Table 3 rows"
    )
    return version.pk


def distinct_table3(version: object) -> None:
    """grow() repeats the demo's 20 Table 3 rows; give every copy its own NKZ occupation
    (with its groups) so that the rows are distinct, as in a real SQF and as the workbook
    import requires of rows it changes."""
    from classifiers.models import Node
    from classifiers.services import current_edition
    from sbsh.models import Table3Row

    rows = list(Table3Row.objects.filter(version=version).order_by("order", "id"))
    used = {r.occupation_id for r in rows[:20]}
    occupations = (
        Node.objects.filter(
            edition=current_edition("nkz"), level=6, parent__level=5, parent__parent__level=4
        )
        .exclude(pk__in=used)
        .select_related("parent")
        .order_by("code")[: len(rows) - 20]
    )
    for row, occ in zip(rows[20:], occupations, strict=True):
        row.occupation_id, row.nkz_group_id = occ.pk, occ.parent_id
        row.nkz_unit_id = occ.parent.parent_id
    Table3Row.objects.bulk_update(rows[20:], ["occupation", "nkz_group", "nkz_unit"])


def workbook_times(version_id: int) -> None:
    import openpyxl
    from django.utils import translation

    from councils.models import User
    from sbsh.document import services_tables, workbook, workbook_export
    from sbsh.models import Version

    version = Version.objects.select_related("framework__state_body").get(pk=version_id)
    drafter = User.objects.get(username="drafter")
    with translation.override("kk"):
        t0 = time.perf_counter()
        data = workbook_export.export_workbook(version)
        export_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        plan = services_tables.tables_import(
            actor=drafter, version=version, data=data, name="same.xlsx", dry_run=True
        )
        same_s = time.perf_counter() - t0
        assert plan.empty, plan.counts()
        wb = openpyxl.load_workbook(io.BytesIO(data))
        ws = wb[str(workbook.SHEET_TITLES["table3"])]
        corr = next(
            i for i, c in enumerate(workbook.T3_COLUMNS, 1) if c.key == "nkz_correspondence"
        )
        rows = 0
        for r in range(2, ws.max_row + 1):
            if ws.cell(r, 1).value:
                ws.cell(r, corr).value = "ішінара"
                rows += 1
        out = io.BytesIO()
        wb.save(out)
        t0 = time.perf_counter()
        plan = services_tables.tables_import(
            actor=drafter, version=version, data=out.getvalue(), name="all-t3.xlsx"
        )
        apply_s = time.perf_counter() - t0
    say(f"workbook: {len(data):,} bytes, export {export_s:.2f} s")
    say(f"import of the unchanged workbook (dry run, nothing to write): {same_s:.2f} s")
    say(
        f"import with all {rows} Table 3 rows changed (validate + apply): {apply_s:.2f} s "
        f"({plan.counts()['table3']['changed']} rows changed)"
    )


def run_load(
    base: str, host: str, port: int, paths: list[str], clients: int, warmup: float, duration: float
) -> dict[str, dict]:
    sessions = [cookie_header(sign_in(base, "drafter")) for _ in range(clients)]
    start = time.time() + 1
    measure_from, end = start + warmup, start + warmup + duration
    records: list[tuple[str, float, int, int]] = []
    lock = threading.Lock()

    def client(index: int) -> None:
        rng = random.Random(index)
        mine = []
        while time.time() < start:
            time.sleep(0.01)
        while time.time() < end:
            path = rng.choice(paths)
            wall = time.time()
            t0 = time.perf_counter()
            conn = http.client.HTTPConnection(host, port, timeout=60)
            try:
                conn.request("GET", path, headers=sessions[index])
                resp = conn.getresponse()
                body = resp.read()
                status, size = resp.status, len(body)
            except (OSError, http.client.HTTPException):
                status, size = 0, 0
            finally:
                conn.close()
            if wall >= measure_from:
                mine.append((path, (time.perf_counter() - t0) * 1000, status, size))
        with lock:
            records.extend(mine)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out = {}
    for path in paths:
        mine = [r for r in records if r[0] == path]
        ok = [r[1] for r in mine if r[2] == 200]
        out[path] = {
            "n": len(mine),
            "errors": sum(1 for r in mine if r[2] != 200),
            "p50": pct(ok, 0.50) if ok else float("nan"),
            "p95": pct(ok, 0.95) if ok else float("nan"),
            "p99": pct(ok, 0.99) if ok else float("nan"),
            "bytes": max((r[3] for r in mine if r[2] == 200), default=0),
        }
    return out


def main() -> int:
    parser = _common.parser(__doc__)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=10)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--code", type=Path, default=ROOT, help="checkout whose app gunicorn serves"
    )
    parser.add_argument(
        "--with-checklist", action="store_true", help="also request the checklist partial"
    )
    args = parser.parse_args()
    _common.print_machine()
    tmp = Path(tempfile.mkdtemp(prefix="sqf-bench-tables-"))
    try:
        with _common.database("tables", keep=args.keep):
            version_id = seed()
            # The server: no Redis (sessions in the database, tasks in-process).
            env = _common.server_env(tmp)
            with _common.gunicorn(
                env, tmp / "gunicorn.log", workers=args.workers, cwd=args.code
            ) as (base, _proc):
                say(f"gunicorn from {args.code}")
                port = int(base.rsplit(":", 1)[1])
                paths = ["/health/", f"/sqf/{version_id}/table1/", f"/sqf/{version_id}/table3/"]
                if args.with_checklist:  # the Table 1 page of the new code fetches it after itself
                    paths.append(f"/sqf/{version_id}/checklist/?limit=40")
                results = run_load(
                    base, "127.0.0.1", port, paths, args.clients, args.warmup, args.duration
                )
            health = results["/health/"]["p95"]
            say(
                f"\n{args.clients} clients, {args.duration:.0f} s measured after {args.warmup:.0f} s"
            )
            say(
                "| path | requests | errors | p50 ms | p95 ms | p99 ms | p95 / health p95 | HTML KB |"
            )
            say("|---|---:|---:|---:|---:|---:|---:|---:|")
            for path, r in results.items():
                say(
                    f"| `{path}` | {r['n']} | {r['errors']} | {r['p50']:.0f} | {r['p95']:.0f} | "
                    f"{r['p99']:.0f} | {r['p95'] / health:.1f}× | {r['bytes'] / 1024:.0f} |"
                )
            if args.code.resolve() == ROOT.resolve():
                workbook_times(version_id)
            say(f"load average at the end: {os.getloadavg()}")
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
