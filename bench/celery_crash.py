"""Drill: kill -9 a Celery worker in the middle of a render and time the recovery.

  .venv/bin/python bench/celery_crash.py [--quick] [--kill-after 3] [--max-wait 1200]
                                         [--no-child-kill] [--keep]

About 20 min (it waits out the broker's 15-minute visibility timeout); --quick runs only
the pool-child kill (step 7), under 1 min.

Not a test: it prints figures for docs/security.md (row 18) and docs/benchmarks.md
("Reliability drills"). It needs PostgreSQL at 127.0.0.1:5432 (user postgres, no
password) and Redis at 127.0.0.1:6379; it uses Redis database 6 and flushes it.

1. Creates its own database `sqf_bench_celery_crash_<pid>`, runs `manage.py migrate` and
   `manage.py seed_demo`; files go to a temporary SQF_DATA_DIR / MEDIA_ROOT.
2. Starts a worker as production does (`celery -A config worker -l info --concurrency 1
   -Q celery`, here with `-n drill1@%h`) in its own process group, with the same
   environment (REDIS_URL set, so CELERY_TASK_ALWAYS_EAGER is false).
3. Requests the Kazakh PDF of the demo SQF's version 1 through
   `exports.services.rendering_request` inside `transaction.atomic()`: the task is sent
   to Redis on commit.
4. Waits until the Rendering row is `running`, waits --kill-after seconds more (the demo
   PDF takes 10-25 s), checks it is still running, and sends SIGKILL to the worker's
   whole process group (main process and pool child). The Redis `unacked` hash and its
   index show the message the dead worker held.
5. Starts a new worker (`-n drill2@%h`) and polls the row every second, for at most
   --max-wait seconds after the kill (default 20 min). It stops early when the row is
   ready, or when the new worker has received the redelivered task and finished it
   without the row becoming ready (nothing would change it after that).
6. Reports: seconds from the kill to `ready` (or that it never came, and why), when the
   message was redelivered (worker log), the Redis visibility deadline, and the
   once-only checks: one Rendering row for the key, status ready, the file present,
   non-empty, of the recorded size and sha256, no second file for it in MEDIA_ROOT,
   and the `attempts` value.
7. Unless --no-child-kill: the same with the Russian PDF, but killing only the pool's
   child process (the worker's main process survives and, with
   `task_reject_on_worker_lost`, requeues the task at once).
8. Stops the workers, drops the database and flushes Redis database 6 (try/finally;
   --keep leaves the database and the temporary folder).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _common
from _common import ROOT, pg_admin, say

DB = _common.db_name("celery_crash")
REDIS = "redis://127.0.0.1:6379/6"
ENV = {
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}",
    "REDIS_URL": REDIS,
    "SECRET_KEY": "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(60)),
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "DEBUG": "false",
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "LOG_LEVEL": "INFO",
}
# Variables that would change what is measured if inherited from the caller's shell.
UNSET = ("CELERY_TASK_ALWAYS_EAGER", "CELERY_BROKER_URL", "HTTPS", "SQF_RENDER_IN_THREAD")
TASK = "exports.tasks.render_document"


def machine() -> dict:
    """What this drill adds to the machine line of bench/_common.py."""
    import celery
    import django
    import kombu

    def run(*cmd: str) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True).stdout.strip()
        except OSError:
            return "?"

    return {
        "redis": run("redis-server", "--version") or "?",
        "django": django.get_version(),
        "celery": celery.__version__,
        "kombu": kombu.__version__,
    }


def redis_client():
    import redis

    return redis.Redis.from_url(REDIS)


def broker_state() -> dict:
    """What kombu's Redis transport holds: the queue, and the delivered-but-unacknowledged
    messages with the time each was delivered (the score of `unacked_index`)."""
    r = redis_client()
    unacked = []
    for tag, score in r.zrange("unacked_index", 0, -1, withscores=True):
        raw = r.hget("unacked", tag)
        task_id = None
        if raw:
            try:
                message = json.loads(raw)[0]
                task_id = message.get("headers", {}).get("id")
            except (ValueError, IndexError, AttributeError):
                pass
        unacked.append({"tag": tag.decode(), "delivered_at": score, "task_id": task_id})
    return {"queue": r.llen("celery"), "unacked": unacked}


class Worker:
    """One `celery worker` in its own process group, logging to a file."""

    def __init__(self, name: str, log: Path) -> None:
        self.name = name
        self.log = log
        self.proc = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "celery"),
                "-A",
                "config",
                "worker",
                "-l",
                "info",
                "--concurrency",
                "1",
                "-Q",
                "celery",
                "-n",
                f"{name}@%h",
            ],
            cwd=ROOT,
            env=os.environ.copy(),
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.started = time.time()

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_ready(self, timeout: float = 120) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(
                    f"worker {self.name} exited ({self.proc.returncode}):\n{self.text()[-4000:]}"
                )
            if re.search(r"\bready\.", self.text()):
                return time.time() - self.started
            time.sleep(0.2)
        raise SystemExit(f"worker {self.name} not ready in {timeout:.0f} s:\n{self.text()[-4000:]}")

    def children(self) -> list[int]:
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        try:
            return [int(p) for p in path.read_text().split()]
        except OSError:
            return []

    def group_alive(self) -> list[int]:
        """Processes still in the worker's process group (zombies excluded)."""
        alive = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            state, pgrp = fields[0], int(fields[2])
            if pgrp == self.proc.pid and state != "Z":
                alive.append(int(entry.name))
        return alive

    def kill_group(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
            except ProcessLookupError:
                pass
        # A pool child left behind would keep the group alive.
        for pid in self.group_alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def events(self, task_id: str | None) -> dict:
        """Received / succeeded / failed / retry lines of the render task in this log."""
        text = self.text()
        pattern = re.escape(task_id) if task_id else r"[0-9a-f-]{36}"
        return {
            "received": len(re.findall(rf"Task {TASK}\[{pattern}\] received", text)),
            "succeeded": re.findall(rf"Task {TASK}\[{pattern}\] succeeded in [^\n]*", text),
            "failed": re.findall(rf"Task {TASK}\[{pattern}\] (?:raised|failed)[^\n]*", text),
            "retry": re.findall(rf"Task {TASK}\[{pattern}\] retry[^\n]*", text),
            "lost": re.findall(r"WorkerLostError[^\n]*", text),
        }


def task_id_in(worker: Worker) -> str | None:
    m = re.search(rf"Task {TASK}\[([0-9a-f-]{{36}})\] received", worker.text())
    return m.group(1) if m else None


def request_rendering(version, language: str) -> int:
    from django.db import transaction

    from exports.models import Rendering
    from exports.services import rendering_request

    with transaction.atomic():
        rendering = rendering_request(
            version=version, language=language, fmt=Rendering.Format.PDF, actor=None
        )
    # Leaving the block committed it and ran the on-commit dispatch (render_document.delay).
    return rendering.pk


def row(pk: int) -> dict:
    from exports.models import Rendering

    r = Rendering.objects.get(pk=pk)
    return {
        "status": r.status,
        "attempts": r.attempts,
        "file": r.file.name,
        "size": r.size,
        "file_sha256": r.file_sha256,
        "seconds": r.seconds,
        "error": r.error,
    }


def wait_status(pk: int, wanted: str, timeout: float) -> float | None:
    t0 = time.time()
    while time.time() - t0 < timeout:
        if row(pk)["status"] == wanted:
            return time.time()
        time.sleep(0.1)
    return None


def media_files(media: Path, stem: str) -> list[str]:
    """Every file under MEDIA_ROOT whose name starts with the rendering's file stem (Django
    adds a random suffix when a name is taken: a second render would show up here)."""
    return sorted(
        str(p.relative_to(media))
        for p in media.rglob("*")
        if p.is_file() and p.name.startswith(stem)
    )


def once_only(pk: int, media: Path) -> tuple[dict, list[str]]:
    """The checks that the rendering completed exactly once."""
    from exports.models import Rendering

    r = Rendering.objects.select_related("version__framework").get(pk=pk)
    same_key = Rendering.objects.filter(
        version=r.version, content_sha256=r.content_sha256, language=r.language, format=r.format
    ).count()
    stem = Path(r.filename()).stem
    files = media_files(media, stem)
    path = media / r.file.name if r.file.name else None
    data = path.read_bytes() if path and path.is_file() else b""
    checks = {
        "rows for the key": same_key,
        "status": r.status,
        "attempts": r.attempts,
        "file": r.file.name or "(none)",
        "file bytes on disk": len(data),
        "size recorded": r.size,
        "sha256 matches": bool(data) and hashlib.sha256(data).hexdigest() == r.file_sha256,
        "PDF magic": data[:5] == b"%PDF-",
        "files for this document in MEDIA_ROOT": files,
        "render seconds (recorded)": r.seconds,
    }
    problems = []
    if same_key != 1:
        problems.append(f"{same_key} Rendering rows for the key (expected 1)")
    if r.status != Rendering.Status.READY:
        problems.append(f"status {r.status!r}, not ready")
    if not data:
        problems.append("no file, or an empty one")
    elif len(data) != r.size or not checks["sha256 matches"]:
        problems.append("file on disk differs from the recorded size/sha256")
    if len(files) > 1:
        problems.append(f"{len(files)} files for one document (duplicate render): {files}")
    return checks, problems


def main() -> int:
    parser = _common.parser(
        __doc__, quick="only the pool-child kill (B), which recovers at once: under 1 min"
    )
    parser.add_argument(
        "--kill-after",
        type=float,
        default=3.0,
        help="seconds after the row turns running before the kill",
    )
    parser.add_argument(
        "--max-wait",
        type=float,
        default=1200.0,
        help="longest wait for recovery after the kill, seconds (20 min)",
    )
    parser.add_argument(
        "--child-wait",
        type=float,
        default=240.0,
        help="longest wait in the child-kill variant, seconds",
    )
    parser.add_argument("--no-child-kill", action="store_true")
    args = parser.parse_args()
    if args.quick and args.no_child_kill:
        parser.error("--quick runs only the child kill; drop --no-child-kill")

    tmp = Path(tempfile.mkdtemp(prefix="sqf-drill-crash-"))
    media = tmp / "media"
    os.environ.update(ENV)
    os.environ["SQF_DATA_DIR"] = str(tmp / "data")
    os.environ["MEDIA_ROOT"] = str(media)
    for name in UNSET:
        os.environ.pop(name, None)
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))

    workers: list[Worker] = []
    failures: list[str] = []
    findings: list[str] = []
    django_ready = False
    summary: dict = {}
    try:
        redis_client().flushdb()
        say(f"redis {REDIS} flushed; database {DB}: create, migrate, seed_demo")
        _common.create_database(DB, seed_demo=True)

        import django

        django.setup()
        django_ready = True
        from django.conf import settings

        from sbsh.models import Version

        _common.print_machine(**machine())
        config = {
            "CELERY_TASK_ALWAYS_EAGER": settings.CELERY_TASK_ALWAYS_EAGER,
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "CELERY_TASK_ACKS_LATE": settings.CELERY_TASK_ACKS_LATE,
            "CELERY_TASK_REJECT_ON_WORKER_LOST": settings.CELERY_TASK_REJECT_ON_WORKER_LOST,
            "CELERY_WORKER_PREFETCH_MULTIPLIER": settings.CELERY_WORKER_PREFETCH_MULTIPLIER,
            "CELERY_BROKER_TRANSPORT_OPTIONS": settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        }
        say("settings:", json.dumps(config))
        if settings.CELERY_TASK_ALWAYS_EAGER:
            raise SystemExit("CELERY_TASK_ALWAYS_EAGER is true: the drill needs a real broker")
        visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
        summary["visibility_timeout_s"] = visibility
        version = Version.objects.get(framework__sector_ru="Электроэнергетика", number=1)
        say(f"demo version: pk {version.pk}, number {version.number}, status {version.status}")

        if args.quick:  # A waits out the visibility timeout; B needs a running worker
            w2 = Worker("drill2", tmp / "worker2.log")
            workers.append(w2)
            say(f"worker 2 (pid/pgid {w2.proc.pid}) ready in {w2.wait_ready():.1f} s")
        else:
            # --- A: the whole worker killed --------------------------------------------------------
            say("\n=== A. kill -9 of the worker's process group in the middle of the kk PDF ===")
            w1 = Worker("drill1", tmp / "worker1.log")
            workers.append(w1)
            say(f"worker 1 (pid/pgid {w1.proc.pid}) ready in {w1.wait_ready():.1f} s")
            t_request = time.time()
            pk = request_rendering(version, "kk")
            say(f"rendering {pk} requested (kk PDF); row: {row(pk)['status']}")
            t_running = wait_status(pk, "running", 120)
            if t_running is None:
                raise SystemExit(f"rendering {pk} never became running:\n{w1.text()[-3000:]}")
            say(f"running {t_running - t_request:.2f} s after the request")
            time.sleep(args.kill_after)
            before = row(pk)
            if before["status"] != "running":
                raise SystemExit(
                    f"rendering finished before the kill ({before}); lower --kill-after"
                )
            task_id = task_id_in(w1)
            state_before = broker_state()
            say(f"task {task_id}; broker before the kill: {json.dumps(state_before)}")
            children = w1.children()
            t_kill = time.time()
            w1.kill_group()
            time.sleep(0.5)
            left = w1.group_alive()
            say(
                f"SIGKILL to process group {w1.proc.pid} (main + pool children {children}) "
                f"{t_kill - t_running:.2f} s into the render; processes left in the group: {left}"
            )
            if left:
                failures.append(f"processes survived the kill: {left}")
            after_kill = row(pk)
            state_after = broker_state()
            say(f"row after the kill: {json.dumps(after_kill)}")
            say(f"broker after the kill: {json.dumps(state_after)}")
            delivered_at = next(
                (u["delivered_at"] for u in state_after["unacked"] if u["task_id"] == task_id), None
            )
            if delivered_at is not None:
                summary["visibility_deadline_after_kill_s"] = delivered_at + visibility - t_kill
                say(
                    f"message delivered at kill-{t_kill - delivered_at:.1f} s; the transport restores "
                    f"it once it is {visibility} s old, i.e. at kill+"
                    f"{delivered_at + visibility - t_kill:.0f} s (swept every ~100 s)"
                )
            else:
                findings.append("the killed worker's message is not in the unacked index")

            w2 = Worker("drill2", tmp / "worker2.log")
            workers.append(w2)
            say(
                f"worker 2 (pid/pgid {w2.proc.pid}) ready in {w2.wait_ready():.1f} s "
                f"(kill+{time.time() - t_kill:.1f} s)"
            )
            t_ready = t_received = t_done = None
            last_note = time.time()
            while time.time() - t_kill < args.max_wait:
                now = row(pk)
                ev = w2.events(task_id)
                if ev["received"] and t_received is None:
                    t_received = time.time()
                    say(
                        f"kill+{t_received - t_kill:.0f} s: worker 2 received the redelivered task; "
                        f"row {now['status']}, attempts {now['attempts']}"
                    )
                if now["status"] == "ready":
                    t_ready = time.time()
                    break
                if (ev["succeeded"] or ev["failed"]) and t_done is None:
                    t_done = time.time()
                    say(
                        f"kill+{t_done - t_kill:.0f} s: worker 2 finished the task: "
                        f"{(ev['succeeded'] or ev['failed'])[-1]}; row {now['status']}"
                    )
                if t_done is not None and time.time() - t_done > 15:
                    break  # the task was acknowledged; nothing else will touch the row
                if time.time() - last_note >= 60:
                    last_note = time.time()
                    b = broker_state()
                    say(
                        f"kill+{time.time() - t_kill:.0f} s: row {now['status']} (attempts "
                        f"{now['attempts']}); queue {b['queue']}, unacked {len(b['unacked'])}"
                    )
                time.sleep(1)
            final = row(pk)
            ev2 = w2.events(task_id)
            summary["A"] = {
                "rendering": pk,
                "task": task_id,
                "killed_s_into_render": round(t_kill - t_running, 2),
                "redelivered_after_kill_s": None
                if t_received is None
                else round(t_received - t_kill, 1),
                "task_finished_after_kill_s": None if t_done is None else round(t_done - t_kill, 1),
                "ready_after_kill_s": None if t_ready is None else round(t_ready - t_kill, 1),
                "waited_s": round(time.time() - t_kill, 1),
                "final_row": final,
                "worker2_log": ev2,
                "broker_end": broker_state(),
            }
            if t_ready is not None:
                say(f"\nRECOVERED: ready {t_ready - t_kill:.1f} s after the kill")
            else:
                msg = (
                    f"not ready {time.time() - t_kill:.0f} s after the kill: row {final['status']}, "
                    f"attempts {final['attempts']}"
                )
                if t_received is None:
                    msg += "; the message was never redelivered"
                elif ev2["succeeded"]:
                    msg += (
                        f"; redelivered at kill+{t_received - t_kill:.0f} s and acknowledged as "
                        f"{ev2['succeeded'][-1]!r} without rendering"
                    )
                say("\nNOT RECOVERED: " + msg)
                failures.append("A: " + msg)
            checks, problems = once_only(pk, media)
            summary["A"]["once_only"] = checks
            say("once-only checks:", json.dumps(checks, ensure_ascii=False, default=str))
            for p in problems:
                failures.append(f"A: {p}")

        # --- B: only the pool child killed -----------------------------------------------------
        if not args.no_child_kill:
            say("\n=== B. kill -9 of the pool child only (the worker's main process survives) ===")
            w = w2
            before_text = len(w.text())
            pk_b = request_rendering(version, "ru")
            t_req_b = time.time()
            t_run_b = wait_status(pk_b, "running", 120)
            if t_run_b is None:
                raise SystemExit(f"rendering {pk_b} never became running:\n{w.text()[-3000:]}")
            time.sleep(args.kill_after)
            if row(pk_b)["status"] != "running":
                raise SystemExit("ru rendering finished before the kill; lower --kill-after")
            m = re.search(rf"Task {TASK}\[([0-9a-f-]{{36}})\] received", w.text()[before_text:])
            task_b = m.group(1) if m else None
            kids = w.children()
            if not kids:
                raise SystemExit("no pool child found under worker 2")
            t_kill_b = time.time()
            for kid in kids:
                os.kill(kid, signal.SIGKILL)
            say(
                f"rendering {pk_b} (ru PDF, task {task_b}) running {t_run_b - t_req_b:.2f} s after "
                f"the request; SIGKILL to pool child {kids} {t_kill_b - t_run_b:.2f} s into it"
            )
            t_ready_b = t_done_b = None
            while time.time() - t_kill_b < args.child_wait:
                now = row(pk_b)
                ev = w.events(task_b)
                if now["status"] == "ready":
                    t_ready_b = time.time()
                    break
                if ev["succeeded"] and t_done_b is None:
                    t_done_b = time.time()
                if t_done_b is not None and time.time() - t_done_b > 15:
                    break
                time.sleep(0.5)
            ev = w.events(task_b)
            final_b = row(pk_b)
            summary["B"] = {
                "rendering": pk_b,
                "task": task_b,
                "received_times": ev["received"],
                "worker_lost_lines": ev["lost"][-2:],
                "succeeded": ev["succeeded"],
                "ready_after_kill_s": None if t_ready_b is None else round(t_ready_b - t_kill_b, 1),
                "task_finished_after_kill_s": None
                if t_done_b is None
                else round(t_done_b - t_kill_b, 1),
                "final_row": final_b,
                "worker_alive": w.proc.poll() is None,
            }
            checks_b, problems_b = once_only(pk_b, media)
            summary["B"]["once_only"] = checks_b
            say(json.dumps(summary["B"], ensure_ascii=False, default=str, indent=1))
            if t_ready_b is None:
                failures.append(
                    f"B: not ready {time.time() - t_kill_b:.0f} s after killing the pool child: "
                    f"row {final_b['status']}, attempts {final_b['attempts']}, task received "
                    f"{ev['received']}x, {ev['succeeded'][-1] if ev['succeeded'] else 'not finished'}"
                )
            else:
                failures.extend(f"B: {p}" for p in problems_b)

        say("\nworker logs (render task, WorkerLostError, errors):")
        for w in workers:
            for line in w.text().splitlines():
                if TASK in line or "WorkerLost" in line or "ERROR" in line or "Restoring" in line:
                    say(f"  [{w.name}] {line[:300]}")
        say("\nSUMMARY " + json.dumps(summary, ensure_ascii=False, default=str))
    finally:
        for w in workers:
            w.stop()
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
            redis_client().flushdb()
            say(f"redis {REDIS} flushed")
        except Exception as exc:
            say(f"could not flush {REDIS}: {exc}")
    for f in findings:
        say(f"finding: {f}")
    if failures:
        say("\nFAILURES:")
        for f in failures:
            say(f"  - {f}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
