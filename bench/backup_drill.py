"""Drill: back up the database with pg_dump, restore it into a fresh one, compare every table.

  .venv/bin/python bench/backup_drill.py [--repeat 3] [--keep]     # under 1 min

Not a test: it prints figures for docs/security.md (row 20) and docs/benchmarks.md
("Reliability drills"). It needs PostgreSQL at 127.0.0.1:5432 (user postgres, no
password) with `pg_dump` and `pg_restore` on PATH, and Redis at 127.0.0.1:6379 (database
7, flushed at start and end).

1. Creates its own database `sqf_bench_backup_<pid>`, runs `manage.py migrate` and `manage.py
   seed_demo` (classifiers, calendar, people, the demo SQF with its history: published
   version 1, version 2 in preparation, grounds, a council decision, audit rows, the
   move log), and `manage.py drf_create_token` for three users (authtoken rows).
2. `pg_dump -Fc` of it into a temporary file: seconds and size.
3. `CREATE DATABASE sqf_bench_backup_restored_<pid>`, then `pg_restore --single-transaction
   --no-owner --exit-on-error` into it: seconds, exit code, stderr. Steps 2-3 run
   --repeat times (default 3, each into a new empty database); the median is reported
   and the last restore is compared.
4. Compares the two databases, table by table over every ordinary table of the `public`
   schema: the row count and `md5(string_agg(t::text, '|' ORDER BY <primary key>))` (a
   table without a primary key is ordered by `t::text`). Also the sets of tables,
   sequences (last_value, is_called), indexes, constraints, triggers and functions.
5. Checks the append-only trigger (councils/migrations/0003_audit_append_only.py) still
   refuses UPDATE and DELETE on the audit tables of the restored database, and that
   `manage.py migrate --check` finds nothing to apply there.
6. Drops both databases and removes the dump (try/finally; --keep leaves them).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import statistics
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _common
from _common import PG, ROOT, pg_admin, say

DB = _common.db_name("backup")
RESTORED = _common.db_name("backup", "restored")
REDIS = "redis://127.0.0.1:6379/7"
ENV = {
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}",
    "REDIS_URL": REDIS,
    "SECRET_KEY": "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(60)),
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "DEBUG": "false",
    "DJANGO_SETTINGS_MODULE": "config.settings",
}
UNSET = ("CELERY_TASK_ALWAYS_EAGER", "CELERY_BROKER_URL", "HTTPS")
AUDIT_TABLES = ["councils_auditevent", "sbsh_versiontransition"]
TOKEN_USERS = ["drafter", "secretary", "officer"]


def connect(dbname: str):
    import psycopg2

    conn = psycopg2.connect(dbname=dbname, **PG)
    conn.autocommit = True
    return conn


def manage(*args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
    )
    if check and proc.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


def machine() -> dict:
    """What this drill adds to the machine line of bench/_common.py."""

    def run(*cmd: str) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True).stdout.strip()
        except OSError:
            return "?"

    return {"pg_dump": run("pg_dump", "--version"), "pg_restore": run("pg_restore", "--version")}


def tables(conn) -> dict[str, list[str]]:
    """Ordinary and partitioned tables of `public`, each with its primary-key columns."""
    with conn.cursor() as cur:
        cur.execute(
            """
            SELECT c.relname,
                   COALESCE((SELECT array_agg(a.attname ORDER BY k.ord)
                             FROM pg_index i
                             CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
                             JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
                             WHERE i.indrelid = c.oid AND i.indisprimary), '{}')
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
            ORDER BY c.relname
            """
        )
        return {name: list(pk) for name, pk in cur.fetchall()}


def quote(ident: str) -> str:
    return '"' + ident.replace('"', '""') + '"'


def table_digest(conn, table: str, pk: list[str]) -> tuple[int, str | None]:
    order = ", ".join(f"t.{quote(c)}" for c in pk) if pk else "t::text"
    with conn.cursor() as cur:
        cur.execute(
            f"SELECT count(*), md5(string_agg(t::text, '|' ORDER BY {order})) "
            f"FROM public.{quote(table)} t"
        )
        count, digest = cur.fetchone()
    return count, digest


def catalogue(conn) -> dict[str, list]:
    """Schema objects beside the tables, to see the restore brought them all back."""
    queries = {
        "sequences": """
            SELECT schemaname || '.' || sequencename, last_value FROM pg_sequences
            WHERE schemaname = 'public' ORDER BY 1""",
        "indexes": """
            SELECT tablename || '.' || indexname FROM pg_indexes
            WHERE schemaname = 'public' ORDER BY 1""",
        "constraints": """
            SELECT rel.relname || '.' || con.conname || ':' || con.contype::text
            FROM pg_constraint con JOIN pg_class rel ON rel.oid = con.conrelid
            JOIN pg_namespace n ON n.oid = rel.relnamespace
            WHERE n.nspname = 'public' ORDER BY 1""",
        "triggers": """
            SELECT c.relname || '.' || t.tgname || ':' || t.tgenabled::text
            FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND NOT t.tgisinternal ORDER BY 1""",
        "functions": """
            SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = 'public' ORDER BY 1""",
        "extensions": "SELECT extname || ' ' || extversion FROM pg_extension ORDER BY 1",
    }
    out = {}
    with conn.cursor() as cur:
        for key, sql in queries.items():
            cur.execute(sql)
            out[key] = [r if len(r) > 1 else r[0] for r in cur.fetchall()]
    return out


def append_only_holds(conn) -> dict[str, str]:
    """Try to UPDATE and DELETE one row of each audit table (in a transaction rolled back);
    the trigger must refuse both."""
    import psycopg2

    result = {}
    conn.autocommit = False
    try:
        for table in AUDIT_TABLES:
            for op, sql in (
                ("UPDATE", f"UPDATE {table} SET id = id WHERE id = (SELECT min(id) FROM {table})"),
                ("DELETE", f"DELETE FROM {table} WHERE id = (SELECT min(id) FROM {table})"),
            ):
                try:
                    with conn.cursor() as cur:
                        cur.execute(sql)
                        result[f"{table} {op}"] = f"ALLOWED ({cur.rowcount} rows)"
                except psycopg2.Error as exc:
                    result[f"{table} {op}"] = f"refused: {exc.pgcode} {str(exc).splitlines()[0]}"
                finally:
                    conn.rollback()
    finally:
        conn.autocommit = True
    return result


def main() -> int:
    parser = _common.parser(__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="dump/restore rounds (timed)")
    args = parser.parse_args()
    for tool in ("pg_dump", "pg_restore"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is not installed")

    tmp = Path(tempfile.mkdtemp(prefix="sqf-drill-backup-"))
    dump = tmp / f"{DB}.dump"
    os.environ.update(ENV)
    os.environ["SQF_DATA_DIR"] = str(tmp / "data")
    for name in UNSET:
        os.environ.pop(name, None)
    failures: list[str] = []
    try:
        import redis

        redis.Redis.from_url(REDIS).flushdb()
        _common.print_machine(**machine())
        say(f"redis {REDIS} flushed; database {DB}: create, migrate, seed_demo")
        _common.create_database(DB, seed_demo=True)
        for user in TOKEN_USERS:
            manage("drf_create_token", user)
        say(f"  tokens for {', '.join(TOKEN_USERS)}")

        src = connect(DB)
        with src.cursor() as cur:
            cur.execute("SELECT pg_database_size(current_database())")
            db_bytes = cur.fetchone()[0]
        say(f"database size: {db_bytes / 1e6:.1f} MB")

        dump_times, restore_times = [], []
        for attempt in range(1, args.repeat + 1):
            # Each round: a new dump, a new empty database, a restore; the last one is compared.
            dump.unlink(missing_ok=True)
            t0 = time.perf_counter()
            proc = subprocess.run(
                [
                    "pg_dump",
                    "-Fc",
                    "-h",
                    PG["host"],
                    "-p",
                    str(PG["port"]),
                    "-U",
                    PG["user"],
                    "-d",
                    DB,
                    "-f",
                    str(dump),
                ],
                capture_output=True,
                text=True,
            )
            dump_times.append(time.perf_counter() - t0)
            if proc.returncode != 0:
                raise SystemExit(f"pg_dump failed ({proc.returncode}):\n{proc.stderr}")
            dump_bytes = dump.stat().st_size

            pg_admin(f"DROP DATABASE IF EXISTS {RESTORED} WITH (FORCE)")
            pg_admin(f"CREATE DATABASE {RESTORED}")
            t0 = time.perf_counter()
            proc = subprocess.run(
                [
                    "pg_restore",
                    "--single-transaction",
                    "--no-owner",
                    "--exit-on-error",
                    "-h",
                    PG["host"],
                    "-p",
                    str(PG["port"]),
                    "-U",
                    PG["user"],
                    "-d",
                    RESTORED,
                    str(dump),
                ],
                capture_output=True,
                text=True,
            )
            restore_times.append(time.perf_counter() - t0)
            say(
                f"round {attempt}: pg_dump -Fc {dump_times[-1]:.2f} s ({dump_bytes / 1e6:.2f} MB), "
                f"pg_restore --single-transaction --no-owner {restore_times[-1]:.2f} s, "
                f"exit {proc.returncode}"
            )
            if proc.stderr.strip():
                say(f"pg_restore stderr:\n{proc.stderr.strip()}")
            if proc.returncode != 0:
                break
        toc = subprocess.run(["pg_restore", "--list", str(dump)], capture_output=True, text=True)
        toc_entries = sum(
            1 for line in toc.stdout.splitlines() if line and not line.startswith(";")
        )
        dump_s, restore_s = statistics.median(dump_times), statistics.median(restore_times)
        say(
            f"pg_dump: median {dump_s:.2f} s (min {min(dump_times):.2f}); pg_restore: median "
            f"{restore_s:.2f} s (min {min(restore_times):.2f}); dump {dump_bytes / 1e6:.2f} MB, "
            f"{toc_entries} TOC entries"
        )
        if proc.returncode != 0:
            failures.append(f"pg_restore exited {proc.returncode}: {proc.stderr.strip()[:500]}")

        dst = connect(RESTORED)
        src_tables, dst_tables = tables(src), tables(dst)
        missing = sorted(set(src_tables) - set(dst_tables))
        extra = sorted(set(dst_tables) - set(src_tables))
        if missing or extra:
            failures.append(f"tables missing after restore: {missing}; extra: {extra}")
        t0 = time.perf_counter()
        rows = []
        for table, pk in src_tables.items():
            n_src, d_src = table_digest(src, table, pk)
            n_dst, d_dst = (None, None)
            if table in dst_tables:
                n_dst, d_dst = table_digest(dst, table, pk)
            rows.append((table, pk, n_src, n_dst, d_src, d_dst))
        compare_s = time.perf_counter() - t0
        mismatches = [r for r in rows if r[2] != r[3] or r[4] != r[5]]
        total_rows = sum(r[2] for r in rows)
        non_empty = sum(1 for r in rows if r[2])
        no_pk = [r[0] for r in rows if not r[1]]

        say("\n| table | primary key | rows (source) | rows (restored) | md5 equal |")
        say("|---|---|---:|---:|---|")
        for table, pk, n_src, n_dst, d_src, d_dst in rows:
            equal = "yes" if (n_src == n_dst and d_src == d_dst) else "**NO**"
            say(
                f"| `{table}` | {', '.join(pk) or '(none: ordered by row text)'} | {n_src} "
                f"| {n_dst} | {equal} |"
            )
        say(
            f"\ncompared {len(rows)} tables ({non_empty} non-empty), {total_rows} rows, "
            f"in {compare_s:.2f} s; mismatches: {len(mismatches)}; tables without a primary "
            f"key: {no_pk or 'none'}"
        )
        for m in mismatches:
            failures.append(f"table {m[0]}: rows {m[2]} vs {m[3]}, md5 {m[4]} vs {m[5]}")

        cat_src, cat_dst = catalogue(src), catalogue(dst)
        say("\n| schema objects | source | restored | equal |")
        say("|---|---:|---:|---|")
        for key in cat_src:
            equal = cat_src[key] == cat_dst[key]
            say(
                f"| {key} | {len(cat_src[key])} | {len(cat_dst[key])} | {'yes' if equal else '**NO**'} |"
            )
            if not equal:
                diff = sorted(set(map(str, cat_src[key])) ^ set(map(str, cat_dst[key])))
                failures.append(f"{key} differ after restore: {diff[:10]}")
        say(f"triggers: {cat_dst['triggers']}")

        trigger = append_only_holds(dst)
        say("\nappend-only trigger on the restored database:")
        for key, value in trigger.items():
            say(f"  {key}: {value}")
            if not value.startswith("refused"):
                failures.append(f"restored database: {key} {value}")
        dst.close()
        src.close()

        check = manage(
            "migrate",
            "--check",
            env={"DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{RESTORED}"},
            check=False,
        )
        say(f"manage.py migrate --check on the restored database: exit {check.returncode}")
        if check.returncode != 0:
            failures.append(
                f"migrate --check on the restored database: {check.stdout}{check.stderr}"
            )

        summary = {
            "database_mb": round(db_bytes / 1e6, 1),
            "dump_s": round(dump_s, 2),
            "dump_s_each": [round(x, 2) for x in dump_times],
            "restore_s_each": [round(x, 2) for x in restore_times],
            "dump_mb": round(dump_bytes / 1e6, 2),
            "toc_entries": toc_entries,
            "restore_s": round(restore_s, 2),
            "restore_exit": proc.returncode,
            "tables": len(rows),
            "non_empty_tables": non_empty,
            "rows": total_rows,
            "mismatches": len(mismatches),
            "compare_s": round(compare_s, 2),
            "schema_objects": {k: len(v) for k, v in cat_dst.items()},
            "append_only_after_restore": trigger,
            "migrate_check_exit": check.returncode,
        }
        say("\nSUMMARY " + json.dumps(summary, ensure_ascii=False))
    finally:
        if args.keep:
            say(f"databases {DB}, {RESTORED} and {dump} kept")
        else:
            pg_admin(f"DROP DATABASE IF EXISTS {RESTORED} WITH (FORCE)")
            pg_admin(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
            shutil.rmtree(tmp, ignore_errors=True)
            say(f"databases {DB}, {RESTORED} dropped, {tmp} removed")
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
