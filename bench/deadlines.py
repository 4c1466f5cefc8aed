"""Benchmark: the daily deadline check over 10,000 open deadlines, and add_working_days.

  .venv/bin/python bench/deadlines.py          # under 1 min

Not a test: it prints figures for docs/benchmarks.md ("Deadlines"). It needs PostgreSQL
at 127.0.0.1:5432 (user postgres, no password): it creates and migrates a database of its
own (sqf_bench_deadlines_<pid>), writes the calendar, the demo organisations, 10,000
deadlines and their notifications into it, and drops it at the end. E-mail is queued
without a broker (task_always_eager off, nothing consumes it) and then rendered in this
process with the locmem backend.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time

import _common

if __name__ == "__main__":
    # --help needs no database; the database of its own exists before Django connects.
    ARGS = _common.parser(__doc__).parse_args()
    DATABASE = contextlib.ExitStack()
    DATABASE.enter_context(_common.database("deadlines", keep=ARGS.keep))

_common.django_setup()

from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db import connection  # noqa: E402

from councils.demo import seed_organisations_and_people  # noqa: E402
from councils.models import Organisation  # noqa: E402
from deadlines.demo import seed_calendar  # noqa: E402
from deadlines.models import Deadline, Notification  # noqa: E402
from deadlines.rules import CLOCKS  # noqa: E402
from deadlines.services import work_calendar  # noqa: E402
from deadlines.tasks import deadlines_check  # noqa: E402

N = 10_000


def main() -> None:
    _common.print_machine()
    seed_calendar()
    seed_organisations_and_people(password="bench-password-2026")
    orgs = list(Organisation.objects.filter(kind__in=["state_body", "council"]))
    ct = ContentType.objects.get_for_model(Organisation)
    calendar = work_calendar()
    today = dt.date(2026, 11, 26)
    stages = [s for s in CLOCKS if CLOCKS[s].working_days]
    rows = []
    for i in range(N):
        stage = stages[i % len(stages)]
        start = today - dt.timedelta(days=(i * 7) % 120)
        org = orgs[i % len(orgs)]
        rows.append(
            Deadline(
                content_type=ct,
                object_id=str(org.pk),
                subject_label=f"bench {i}",
                stage=stage,
                clause=CLOCKS[stage].clause,
                organisation=org,
                start_date=start,
                working_days=CLOCKS[stage].working_days,
                due_date=calendar.add_working_days(start, CLOCKS[stage].working_days),
            )
        )
    Deadline.objects.bulk_create(rows, batch_size=2000)

    # As in production: the check queues e-mail for the worker instead of sending it.
    from config.celery import app

    app.conf.task_always_eager = False
    t0 = time.perf_counter()
    first = deadlines_check(today=today)
    t1 = time.perf_counter()
    second = deadlines_check(today=today)
    t2 = time.perf_counter()
    app.conf.task_always_eager = True
    from deadlines.notifications import notifications_email

    ids = list(Notification.objects.values_list("pk", flat=True)[:1000])
    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    t3 = time.perf_counter()
    sent = notifications_email(ids)
    t4 = time.perf_counter()
    print(
        f"database: {connection.vendor} {connection.pg_version if connection.vendor == 'postgresql' else ''}"
    )
    print(
        f"daily check, {N} open deadlines, first run: {t1 - t0:.2f} s "
        f"({first.due_soon} due soon, {first.overdue} overdue, {first.notifications} notifications, "
        f"{first.emails} e-mails)"
    )
    print(
        f"daily check, second run (nothing new): {t2 - t1:.2f} s ({second.notifications} notifications)"
    )
    print(
        f"e-mail rendering in the worker (locmem backend): {sent} messages in {t4 - t3:.2f} s "
        f"({sent / (t4 - t3):,.0f}/s)"
    )

    # add_working_days throughput on the stored calendar (pure Python, no database).
    cal = calendar
    starts = [dt.date(2023, 1, 1) + dt.timedelta(days=i % 1500) for i in range(100_000)]
    timings = []
    for n in (5, 20, 60):
        t = time.perf_counter()
        for s in starts:
            cal.add_working_days(s, n)
        timings.append((n, len(starts) / (time.perf_counter() - t)))
    for n, rate in timings:
        print(f"add_working_days(start, {n}): {rate:,.0f} calls/s")


if __name__ == "__main__":
    with DATABASE:
        main()
