"""Benchmark: the SQF editor pages of a version with 200 Table 1 rows and 300 Table 3 rows.

  .venv/bin/python bench/editor.py [--repeat 20]     # about 1 min

Not a test: it prints figures for docs/benchmarks.md ("SQF editor"). It needs PostgreSQL
at 127.0.0.1:5432 (user postgres, no password): it creates and migrates a database of its
own (sqf_bench_editor_<pid>), loads the shipped classifiers and the demo SQF, grows the
demo version to 200 + 300 rows, then requests each editor page --repeat times through
Django's test client (view, templates and queries; no network), reporting median, p95
and queries per page; it drops the database at the end. bench/editor_load.py imports
`grow` from here (with its own database already set up).
"""

from __future__ import annotations

import contextlib
import statistics
import time

import _common

if __name__ == "__main__":
    # --help needs no database; the database of its own exists before Django connects.
    _parser = _common.parser(__doc__)
    _parser.add_argument("--repeat", type=int, default=20, help="requests per page")
    ARGS = _parser.parse_args()
    DATABASE = contextlib.ExitStack()
    DATABASE.enter_context(_common.database("editor", keep=ARGS.keep))

_common.django_setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from classifiers.demo import seed_classifiers  # noqa: E402
from councils.demo import seed_organisations_and_people  # noqa: E402
from councils.models import User  # noqa: E402
from deadlines.demo import seed_calendar  # noqa: E402
from sbsh.demo import seed_demo_sqf  # noqa: E402
from sbsh.models import Table1Row, Table3Row, Version  # noqa: E402

T1, T3 = 200, 300


def grow(version: Version) -> None:
    rows = list(version.table1_rows.prefetch_related("occupations"))
    i = 0
    while version.table1_rows.count() < T1:
        src = rows[i % len(rows)]
        copy = Table1Row.objects.create(
            version=version,
            section=src.section,
            order=1000 + i,
            sqf_level=src.sqf_level,
            nqf_level=src.nqf_level,
            **{
                f: getattr(src, f)
                for f in (
                    "stages_kk",
                    "stages_ru",
                    "role_kk",
                    "role_ru",
                    "knowledge_kk",
                    "knowledge_ru",
                    "skills_kk",
                    "skills_ru",
                    "competences_kk",
                    "competences_ru",
                )
            },
        )
        copy.occupations.set(src.occupations.all())
        i += 1
    t3 = list(version.table3_rows.all())
    extra = [
        Table3Row(
            version=version,
            order=1000 + j,
            isco_id=r.isco_id,
            nkz_unit_id=r.nkz_unit_id,
            nkz_group_id=r.nkz_group_id,
            oked_id=r.oked_id,
            occupation_id=r.occupation_id,
            nqf_level=r.nqf_level,
            sqf_level=r.sqf_level,
            isco_correspondence=r.isco_correspondence,
        )
        for j, r in enumerate((t3 * (T3 // len(t3) + 1))[: T3 - len(t3)])
    ]
    Table3Row.objects.bulk_create(extra)


def main(repeat: int) -> None:
    _common.print_machine()
    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    _common.static_without_manifest()
    seed_classifiers()
    seed_calendar()
    seed_organisations_and_people(password="bench-password-2026")
    seed_demo_sqf()
    version = Version.objects.order_by("pk").first()
    grow(version)
    print(
        f"database: {connection.vendor}; version {version.pk}: {version.table1_rows.count()} Table 1 rows, "
        f"{version.table3_rows.count()} Table 3 rows"
    )
    client = Client()
    client.force_login(User.objects.get(username="drafter"))
    pages = ["", "passport/", "parts/analysis/", "standards/", "table1/", "table2/", "table3/"]
    print("| page | median ms | p95 ms | queries |")
    print("|---|---:|---:|---:|")
    for page in pages:
        url = f"/sqf/{version.pk}/{page}"
        client.get(url)  # warm templates and caches
        timings = []
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        timings.sort()
        p95 = timings[int(0.95 * (len(timings) - 1))]
        print(
            f"| {url} | {statistics.median(timings):.0f} | {p95:.0f} | {len(queries.captured_queries)} |"
        )


if __name__ == "__main__":
    with DATABASE:
        main(ARGS.repeat)
