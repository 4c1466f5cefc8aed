"""Benchmark of the classifiers app: loading the shipped files and autocomplete search.

Not a test: it prints figures for docs/benchmarks.md (section "Classifiers"). It needs
PostgreSQL at 127.0.0.1:5432 (user postgres, no password); it creates, migrates and drops
a database of its own (sqf_bench_classifiers_<pid>):

    .venv/bin/python bench/classifiers.py [--quick] [--json FILE]   # about 3 min; --quick < 1 min

What it measures:

1. Loads. Each run starts from no classifier data; it times
   classifiers.services.classifier_import() of the ESUTD workbook D_POSITION.xlsx alone,
   then (after wiping again) of the three shipped files of classifiers.demo.SHIPPED one
   after the other (each one and the total). Timed separately: the equal-code crosswalk
   seed (classifiers.demo.seed_classifiers runs it right after the loads), once straight
   after the loads and once more after ANALYZE; and the parse-only time of every file
   (classifiers.importers.parse, no database). On PostgreSQL the classifier tables are
   VACUUMed after each wipe. --runs runs (default 3); min and median are reported.
2. Autocomplete. --queries mixed queries (default 1000, fixed --seed) over the three
   loaded classifiers (ANALYZEd first: the steady state), through django.test.Client on
   GET /classifiers/search.json (view, middleware and SQL), then the same queries
   through classifiers.selectors.node_search() directly. p50/p95/p99/max in ms (nearest rank); SQL queries per request counted in a
   separate pass with CaptureQueriesContext so that counting does not inflate timings.
3. EXPLAIN (ANALYZE, BUFFERS) of the SQL node_search() actually runs for a few queries,
   captured with CaptureQueriesContext, to show which indexes are used.

Between runs it deletes the classifier rows (Node, CrosswalkLink, Edition, ImportJob) of
its own database; it never deletes audit rows (append-only: a trigger refuses DELETE on
PostgreSQL), so the audit events of earlier runs stay behind until the database is dropped.

--profile load|search prints a short cProfile of one load of the three shipped files,
or of the search pass, after the benchmark. --pg-set NAME=VALUE (repeatable) sets a
PostgreSQL setting on the benchmark's own sessions only, e.g. random_page_cost=1.1.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import io
import json
import math
import os
import platform
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

# Run as a script, sys.path[0] is bench/ and this very file would shadow the
# `classifiers` app: put the project root first, and bench/ last (for _common).
ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path[:0] = [str(ROOT)]
sys.path.append(str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import _common  # noqa: E402


def build_parser() -> argparse.ArgumentParser:
    parser = _common.parser(__doc__, quick="one load run and 200 queries (under 1 min)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--profile", choices=("load", "search"))
    parser.add_argument(
        "--pg-set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="PostgreSQL setting for the benchmark's sessions, e.g. random_page_cost=1.1",
    )
    return parser


if __name__ == "__main__":
    # Parsed before Django starts (--help needs no database); the database of its own is
    # created and migrated before Django connects, and dropped at exit (see the end).
    ARGS = build_parser().parse_args()
    DATABASE = contextlib.ExitStack()
    DATABASE.enter_context(_common.database("classifiers", keep=ARGS.keep))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.backends.signals import connection_created  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from classifiers import importers, selectors  # noqa: E402
from classifiers.crosswalk import crosswalk_seed_equal_codes  # noqa: E402
from classifiers.demo import DATA, SHIPPED  # noqa: E402
from classifiers.models import Classifier, CrosswalkLink, Edition, ImportJob, Node  # noqa: E402
from classifiers.services import classifier_import  # noqa: E402

D_POSITION = (
    Classifier.NKZ,
    DATA / "nkz_2017" / "D_POSITION.xlsx",
    "НКЗ 01-2017 (ЕСУТД D_POSITION.xlsx)",
    dt.date(2017, 1, 1),
)
SEED_STALE = "crosswalk seed, right after the loads"
SEED_ANALYZED = "crosswalk seed, after ANALYZE"

# --- queries --------------------------------------------------------------------------------
# (classifier, group, weight, terms). A classifier is drawn by CLASSIFIER_WEIGHTS, then a
# group by weight, then a term uniformly. NKZ is what SQF authors search most.
CLASSIFIER_WEIGHTS = {Classifier.NKZ: 0.5, Classifier.ISCO08: 0.25, Classifier.OKED: 0.25}
QUERY_GROUPS: list[tuple[str, str, float, list[str]]] = [
    (
        Classifier.NKZ,
        "code",
        0.25,
        ["2512", "7", "8111-", "2", "25", "251", "2512-1", "2512-1-00", "8111", "3", "x1000", "Х"],
    ),
    (
        Classifier.NKZ,
        "ru word",
        0.35,
        [
            "программист",
            "инженер",
            "электр",
            "сварщик",
            "учитель",
            "бухгалтер",
            "врач",
            "водитель",
            "оператор",
            "слесарь",
            "механик",
            "экономист",
            "повар",
            "машинист",
            "электромонтер",
            "медицинская сестра",
            "инженер программист",
            "водитель автомобиля",
            "учитель математики",
        ],
    ),
    (
        Classifier.NKZ,
        "ru fragment",
        0.2,
        ["прог", "инж", "свар", "учит", "бухг", "элек", "вод", "маш", "опер", "слес", "врач-"],
    ),
    (
        Classifier.NKZ,
        "kk word",
        0.2,
        [
            "бағдарламашы",
            "инженер",
            "мұғалім",
            "дәрігер",
            "жүргізуші",
            "электр",
            "есепші",
            "дәнекерлеуші",
            "мұғ",
            "дәрі",
        ],
    ),
    (
        Classifier.ISCO08,
        "en word",
        0.8,
        [
            "software",
            "teacher",
            "engineer",
            "nurse",
            "driver",
            "manager",
            "electrician",
            "accountant",
            "medical doctors",
            "welder",
            "cook",
            "sales",
            "soft",
            "teach",
            "eng",
            "software developers",
        ],
    ),
    (Classifier.ISCO08, "code", 0.2, ["2512", "25", "7", "0110", "8111", "3"]),
    (
        Classifier.OKED,
        "code",
        0.4,
        ["01.11", "35", "62", "01", "62.01", "47.1", "A", "F", "41.20"],
    ),
    (
        Classifier.OKED,
        "ru word",
        0.6,
        [
            "производство",
            "электроэнергии",
            "строительство",
            "торговля",
            "розничная торговля",
            "ремонт",
            "выращивание",
            "деятельность",
            "услуги",
            "произв",
            "строит",
        ],
    ),
]


def make_queries(n: int, seed: int) -> list[tuple[str, str, str]]:
    rng = random.Random(seed)
    classifiers = list(CLASSIFIER_WEIGHTS)
    out = []
    for _i in range(n):
        classifier = rng.choices(classifiers, weights=[CLASSIFIER_WEIGHTS[c] for c in classifiers])[
            0
        ]
        groups = [g for g in QUERY_GROUPS if g[0] == classifier]
        _c, group, _w, terms = rng.choices(groups, weights=[g[2] for g in groups])[0]
        out.append((classifier, group, rng.choice(terms)))
    return out


# --- helpers ---------------------------------------------------------------------------------


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return float("nan")
    k = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[k - 1]


def summary_ms(seconds: list[float]) -> dict[str, float]:
    values = sorted(s * 1000 for s in seconds)
    return {
        "n": len(values),
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "p99": percentile(values, 99),
        "max": values[-1] if values else float("nan"),
        "mean": statistics.fmean(values) if values else float("nan"),
    }


def wipe() -> None:
    """Delete all classifier data of the benchmark's own database. The audit rows of the
    loads stay: the audit trail is append-only (PostgreSQL refuses DELETE on it)."""
    with transaction.atomic():
        CrosswalkLink.objects.all().delete()
        ImportJob.objects.all().delete()
        # Plain DELETEs: the ORM collector would walk the self-referencing parent cascade
        # and the Edition.previous PROTECT row by row. Any other table that references
        # these rows makes the statement fail, which is the safe outcome.
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(Node._meta.db_table)}")
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(Edition._meta.db_table)}")
    if connection.vendor == "postgresql":
        # Every run starts from tables without dead rows, as after a fresh migrate.
        vacuum("VACUUM")


def vacuum(command: str) -> None:
    """VACUUM and/or ANALYZE the classifier tables (PostgreSQL only; outside a transaction)."""
    tables = ", ".join(
        connection.ops.quote_name(m._meta.db_table) for m in (Node, Edition, CrosswalkLink)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"{command} {tables}")


def load(entry: tuple) -> tuple[float, int]:
    classifier, path, name, effective = entry
    start = time.perf_counter()
    report = classifier_import(
        classifier=classifier,
        source_name=path.name,
        data=path.read_bytes(),
        actor=None,
        edition_name=name,
        effective_date=effective,
    )
    return time.perf_counter() - start, sum(report.counts.values())


def parse_only(entry: tuple) -> float:
    classifier, path, _name, _effective = entry
    start = time.perf_counter()
    importers.parse(classifier, path.name, path.read_bytes(), max_bytes=settings.UPLOAD_MAX_BYTES)
    return time.perf_counter() - start


def load_shipped() -> dict[str, float]:
    times: dict[str, float] = {}
    start = time.perf_counter()
    for entry in SHIPPED:
        times[entry[1].name], _rows = load(entry)
    times["total"] = time.perf_counter() - start
    return times


def bench_loads(runs: int, say) -> dict:
    loads: dict[str, list[float]] = {}
    parses: dict[str, list[float]] = {}
    rows: dict[str, int] = {}
    for run in range(1, runs + 1):
        wipe()
        seconds, rows[D_POSITION[1].name] = load(D_POSITION)
        loads.setdefault(D_POSITION[1].name, []).append(seconds)
        parses.setdefault(D_POSITION[1].name, []).append(parse_only(D_POSITION))
        wipe()
        start = time.perf_counter()
        for entry in SHIPPED:
            seconds, rows[entry[1].name] = load(entry)
            loads.setdefault(entry[1].name, []).append(seconds)
        loads.setdefault("total (3 shipped)", []).append(time.perf_counter() - start)
        # As classifiers.demo.seed_classifiers does it: right after the loads, before
        # autovacuum has analysed the new rows ...
        start = time.perf_counter()
        crosswalk_seed_equal_codes(actor=None)
        loads.setdefault(SEED_STALE, []).append(time.perf_counter() - start)
        # ... and again once the planner has statistics for the new editions.
        if connection.vendor == "postgresql":
            CrosswalkLink.objects.all().delete()
            vacuum("ANALYZE")
            start = time.perf_counter()
            crosswalk_seed_equal_codes(actor=None)
            loads.setdefault(SEED_ANALYZED, []).append(time.perf_counter() - start)
        for entry in SHIPPED:
            parses.setdefault(entry[1].name, []).append(parse_only(entry))
        say(
            f"  run {run}: 3 shipped {loads['total (3 shipped)'][-1]:.2f} s, "
            f"D_POSITION.xlsx {loads[D_POSITION[1].name][-1]:.2f} s"
        )
    return {"loads": loads, "parses": parses, "rows": rows}


def search_url_params(classifier: str, q: str) -> dict[str, str]:
    return {"classifier": classifier, "q": q}


def bench_search(queries: list[tuple[str, str, str]], warmup: int) -> dict:
    client = Client()
    for classifier, _g, q in queries[:warmup]:
        client.get("/classifiers/search.json", search_url_params(classifier, q))

    view_times: list[float] = []
    hits = 0
    for classifier, _g, q in queries:
        start = time.perf_counter()
        response = client.get("/classifiers/search.json", search_url_params(classifier, q))
        view_times.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise SystemExit(f"search.json {classifier} {q!r}: HTTP {response.status_code}")
        hits += bool(json.loads(response.content)["results"])

    counts: list[int] = []
    sql_ms: list[float] = []
    for classifier, _g, q in queries:
        with CaptureQueriesContext(connection) as ctx:
            client.get("/classifiers/search.json", search_url_params(classifier, q))
        counts.append(len(ctx.captured_queries))
        sql_ms.append(sum(float(c["time"]) for c in ctx.captured_queries) * 1000)

    selector_times: list[float] = []
    for classifier, _g, q in queries:
        start = time.perf_counter()
        selectors.node_search(selectors.SearchQuery(classifier=classifier, q=q))
        selector_times.append(time.perf_counter() - start)

    groups: dict[tuple[str, str], list[float]] = {}
    for (classifier, group, _q), seconds in zip(queries, view_times, strict=True):
        groups.setdefault((classifier, group), []).append(seconds)
    slowest = sorted(zip(view_times, queries, strict=True), reverse=True)[:10]
    return {
        "view": summary_ms(view_times),
        "selector": summary_ms(selector_times),
        "queries_per_request": {
            "min": min(counts),
            "max": max(counts),
            "mean": statistics.fmean(counts),
        },
        "sql_ms_per_request_mean": statistics.fmean(sql_ms),
        "hits": hits,
        "groups": {f"{c} {g}": summary_ms(t) for (c, g), t in sorted(groups.items())},
        "slowest": [(round(t * 1000, 2), c, q) for t, (c, _g, q) in slowest],
    }


# The trigram index of the search (classifiers/migrations/0003_search_index_with_edition.py).
TRGM_INDEX = "node_edition_search_trgm"
KEY_WORDS = ("Scan", "Execution Time", "Planning Time", "Sort Method", "Limit", "Rows Removed")


def explain(classifier: str, q: str) -> dict:
    """EXPLAIN ANALYZE the node queries node_search() runs for one search."""
    with CaptureQueriesContext(connection) as ctx:
        selectors.node_search(selectors.SearchQuery(classifier=classifier, q=q))
    plans = []
    for captured in ctx.captured_queries:
        sql = captured["sql"]
        if Node._meta.db_table not in sql.split(" WHERE ")[0]:
            continue  # the edition look-up
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = [row[0] for row in cursor.fetchall()]
        plans.append(
            {
                "sql": sql,
                "plan": plan,
                "key": [line.strip() for line in plan if any(k in line for k in KEY_WORDS)],
                "uses_trgm": any(TRGM_INDEX in line for line in plan),
            }
        )
    return {"classifier": classifier, "q": q, "plans": plans}


# --- report ----------------------------------------------------------------------------------


def fmt_s(values: list[float]) -> tuple[str, str]:
    return f"{min(values):.2f}", f"{statistics.median(values):.2f}"


def report(loads: dict, search: dict, explains: list[dict], meta: dict) -> str:
    lines = [
        f"Database: {meta['db']}; Python {meta['python']}; Django {meta['django']}; "
        f"DEBUG={meta['debug']}; runs={meta['runs']}; queries={meta['queries']} "
        f"(seed {meta['seed']}, {meta['warmup']} warm-up); autovacuum={meta['autovacuum']}; "
        f"session settings: {', '.join(meta['pg_set']) or 'server defaults'}",
        "",
        "| Load (classifier_import) | rows | min s | median s | parse only, median s |",
        "|---|---:|---:|---:|---:|",
    ]
    parses = loads["parses"]
    names = [e[1].name for e in SHIPPED] + ["total (3 shipped)", SEED_STALE, SEED_ANALYZED]
    for name in [n for n in names if n in loads["loads"]]:
        lo, med = fmt_s(loads["loads"][name])
        rows = loads["rows"].get(name, "")
        parse = f"{statistics.median(parses[name]):.2f}" if name in parses else ""
        lines.append(f"| {name} | {rows} | {lo} | {med} | {parse} |")
    name = D_POSITION[1].name
    lo, med = fmt_s(loads["loads"][name])
    lines.append(
        f"| {name} (alone, empty db) | {loads['rows'][name]} | {lo} | {med} | "
        f"{statistics.median(parses[name]):.2f} |"
    )
    v, s, qpr = search["view"], search["selector"], search["queries_per_request"]
    lines += [
        "",
        "| Autocomplete, ms | n | p50 | p95 | p99 | max | mean |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| GET /classifiers/search.json (Client) | {v['n']} | {v['p50']:.2f} | {v['p95']:.2f} | "
        f"{v['p99']:.2f} | {v['max']:.2f} | {v['mean']:.2f} |",
        f"| selectors.node_search() | {s['n']} | {s['p50']:.2f} | {s['p95']:.2f} | "
        f"{s['p99']:.2f} | {s['max']:.2f} | {s['mean']:.2f} |",
        "",
        f"SQL queries per request: min {qpr['min']}, max {qpr['max']}, mean {qpr['mean']:.2f}; "
        f"SQL time per request (mean): {search['sql_ms_per_request_mean']:.2f} ms; "
        f"queries with at least one result: {search['hits']}/{v['n']}.",
        "",
        "| Query group (view), ms | n | p50 | p95 | max |",
        "|---|---:|---:|---:|---:|",
    ]
    for group, g in search["groups"].items():
        lines.append(f"| {group} | {g['n']} | {g['p50']:.2f} | {g['p95']:.2f} | {g['max']:.2f} |")
    lines += ["", "Slowest requests (ms, classifier, q):"]
    lines += [f"- {t} {c} {q!r}" for t, c, q in search["slowest"]]
    for ex in explains:
        lines += ["", f"EXPLAIN ANALYZE node_search({ex['classifier']!r}, {ex['q']!r}):"]
        for i, p in enumerate(ex["plans"], start=1):
            lines.append(f"  query {i} ({TRGM_INDEX} used: {p['uses_trgm']}):")
            lines += [f"    {line}" for line in p["key"]]
    return "\n".join(lines)


def profile(kind: str, queries: list[tuple[str, str, str]]) -> str:
    profiler = cProfile.Profile()
    if kind == "load":
        wipe()
        profiler.enable()
        load_shipped()
        profiler.disable()
        crosswalk_seed_equal_codes(actor=None)
    else:
        client = Client()
        profiler.enable()
        for classifier, _g, q in queries:
            client.get("/classifiers/search.json", search_url_params(classifier, q))
        profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(15)
    return out.getvalue()


def main(args: argparse.Namespace) -> int:
    if args.quick:
        args.runs, args.queries, args.warmup = 1, 200, 20

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    db = settings.DATABASES["default"]
    if connection.vendor != "postgresql":
        say(f"warning: {connection.vendor}, not PostgreSQL; the targets are for PostgreSQL.")
    _common.print_machine()
    if args.pg_set:
        if connection.vendor != "postgresql":
            say("--pg-set needs PostgreSQL")
            return 2
        pg_settings = [item.split("=", 1) for item in args.pg_set]

        def apply_settings(connection, **_kwargs) -> None:
            with connection.cursor() as cursor:
                for name, value in pg_settings:
                    cursor.execute("SELECT set_config(%s, %s, false)", [name, value])

        connection_created.connect(apply_settings)
        connection.close()  # the next query reconnects with the settings applied
    # The test Client sends Host: testserver.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        server = cursor.fetchone()[0]
    meta = {
        "db": f"{connection.vendor} {db['NAME']} ({server.split(' on ')[0]})",
        "python": platform.python_version(),
        "django": django.get_version(),
        "debug": settings.DEBUG,
        "runs": args.runs,
        "queries": args.queries,
        "seed": args.seed,
        "warmup": args.warmup,
        "pg_set": args.pg_set,
    }
    meta["autovacuum"] = "n/a"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW autovacuum")
            meta["autovacuum"] = cursor.fetchone()[0]
    say(f"loads: {args.runs} runs")
    loads = bench_loads(args.runs, say)  # leaves the three shipped classifiers loaded
    if connection.vendor == "postgresql":
        vacuum("ANALYZE")  # steady state: autovacuum would have analysed the new rows by now
    queries = make_queries(args.queries, args.seed)
    say(f"search: {len(queries)} queries")
    search = bench_search(queries, args.warmup)
    explains = [
        explain(Classifier.NKZ, "программист"),
        explain(Classifier.NKZ, "2512"),
        explain(Classifier.NKZ, "прог"),
        explain(Classifier.ISCO08, "software"),
        explain(Classifier.OKED, "производство"),
    ]
    print(report(loads, search, explains, meta))
    if args.json:
        args.json.write_text(
            json.dumps(
                {"meta": meta, "loads": loads, "search": search, "explain": explains},
                ensure_ascii=False,
                indent=1,
                default=str,
            ),
            encoding="utf-8",
        )
    if args.profile:
        print(f"\ncProfile ({args.profile}):\n")
        print(profile(args.profile, queries))
    return 0


if __name__ == "__main__":
    with DATABASE:
        code = main(ARGS)
    sys.exit(code)
