"""Benchmark: rendering the SQF document (DOCX and PDF, Kazakh and Russian).

  .venv/bin/python bench/documents.py [--quick] [--out DIR] [--docx-runs 3] [--pdf-runs 1]
                                     [--profile] [--only large-kk] [--no-libreoffice]

About 15 min with LibreOffice installed (optional: the yardstick is skipped without
`soffice`); --quick renders the large Kazakh SQF once in each format, under 2 min.

Needs no PostgreSQL: renders do not touch the database, so it runs against a throw-away
SQLite database of its own (the script sets SQF_DATA_DIR to a fresh folder under --out,
which is kept: its PDFs, PNGs and the contents' JSON are the output; it ignores
DATABASE_URL), migrates, loads the shipped
classifiers and the demo SQF (sbsh/data/demo_sqf_energy.json), and takes the demo's
content (`sbsh.document.content.version_content`). It then grows the same version, through
the sbsh services, into the benchmark document: SQF levels 1, 2, 3, 4.1, 4.2, 5, 6.1,
6.2, 7 and 8; 200 Table 1 rows (50 per process section); Table 2 with four occupations
on every level; 300 Table 3 rows; and about 9,000 characters of narrative text in each
of the 10 narrative parts (the demo's paragraphs, cycled), per language.

Each render runs in a fresh Python process (`--worker`), which times only the
`render_docx` / `render_pdf` call (WeasyPrint is imported before the clock starts; its
import time is reported separately) and reports its peak RSS. The peak is VmHWM from
/proc/self/status: `getrusage(RUSAGE_SELF).ru_maxrss` is reported too, but it carries
over the parent's high-water mark through vfork+exec (subprocess), so it never reads
below the parent's size. The yardstick is LibreOffice converting the same DOCX files to
PDF (`soffice --headless --convert-to pdf`), if `soffice` is installed. Page counts come
from `pdfinfo`; a margin check reads every word's box with `pdftotext -bbox`; page 1
and a Table 3 page of each large PDF are rendered to PNG with `pdftoppm`. Everything is
written to --out (default: a new temporary folder).
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path

# Workers run from a copy of this file in --out (the tree may change during a long run).
ROOT = Path(os.environ.get("SQF_BENCH_ROOT") or Path(__file__).resolve().parents[1])
sys.path.insert(0, str(ROOT))
WORKER = Path(__file__)

LEVELS = ["1", "2", "3", "4.1", "4.2", "5", "6.1", "6.2", "7", "8"]
# NKZ unit groups whose occupations stand on each level: the demo's groups, plus
# elementary occupations and operators for levels 1-2 and first heads for level 8.
UNITS = {
    "1": ["9329", "9312"],
    "2": ["8182", "8189"],
    "3": ["7413", "8186"],
    "4.1": ["7412", "7413"],
    "4.2": ["7421", "8186"],
    "5": ["3121", "3322"],
    "6.1": ["2151"],
    "6.2": ["2151", "2433"],
    "7": ["1329", "1231"],
    "8": ["1210", "1329"],
}
ISCO_FALLBACK = {"1210": "1120", "1329": "1321", "1231": "1221"}
T1_PER_SECTION, T3_ROWS, NARRATIVE_CHARS_PER_PART = 50, 300, 9_000
A4_WIDTH_PT, RIGHT_MARGIN_PT, LEFT_MARGIN_PT = 595.276, 15 / 25.4 * 72, 30 / 25.4 * 72


def _text_len(html: str) -> int:
    return len(re.sub(r"<[^>]+>", "", html))


def _cpu_s() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _hwm_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.M).group(1)) / 1024


# --- worker: one render in a fresh process ---------------------------------------------------


def worker(fmt: str, lang: str, content_path: str, out_path: str, profile_path: str | None) -> None:
    import logging

    import django

    django.setup()
    from django.conf import settings

    # Every run lays the document out from nothing: the kept pieces of a large PDF
    # (exports.pdf, by content hash) start empty, or a second run would only join them.
    settings.SQF_PDF_PIECES_DIR = Path(tempfile.mkdtemp(prefix="sqf-bench-pieces-"))
    content = json.loads(Path(content_path).read_text(encoding="utf-8"))
    result: dict = {"fmt": fmt, "lang": lang}
    steps: list[tuple[float, str]] = []
    if fmt == "pdf":
        start = time.perf_counter()
        import weasyprint  # noqa: F401  (Pango, HarfBuzz, fontconfig ...)

        result["import_s"] = time.perf_counter() - start
        from exports.pdf import render_html, render_pdf

        start = time.perf_counter()
        html = render_html(content, lang)
        result["html_s"] = time.perf_counter() - start
        result["html_chars"] = len(html)

        class Steps(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                steps.append((time.perf_counter(), record.getMessage()))

        # A large document's stages (exports.pdf): pieces' HTML, their layout in parallel
        # processes, joining and numbering. Seconds of each, wall clock.
        from exports import pdf as pdf_module

        stages: dict[str, float] = {}
        result["stages"] = stages

        def timed(name: str, fn):
            def wrapper(*args, **kwargs):
                t0 = time.perf_counter()
                try:
                    return fn(*args, **kwargs)
                finally:
                    stages[name] = stages.get(name, 0.0) + time.perf_counter() - t0

            return wrapper

        for name in ("html_pieces", "render_pieces", "join_and_number"):
            setattr(pdf_module, name, timed(name, getattr(pdf_module, name)))

        progress = logging.getLogger("weasyprint.progress")
        progress.setLevel(logging.INFO)
        progress.addHandler(Steps())
        progress.propagate = False
        render = render_pdf
    else:
        from exports.docx import render_docx

        render = render_docx
    result["rss_before_mb"] = _hwm_mb()
    if profile_path:
        import cProfile

        profiler = cProfile.Profile()
        start = time.perf_counter()
        data = profiler.runcall(render, content, lang)
        result["seconds"] = time.perf_counter() - start
        profiler.dump_stats(profile_path)
    else:
        cpu0 = _cpu_s()
        start = time.perf_counter()
        data = render(content, lang)
        result["seconds"] = time.perf_counter() - start
        # CPU seconds of this process and of the layout processes it started (exports.pdf).
        result["cpu_s"] = _cpu_s() - cpu0
    end = time.perf_counter()
    result["peak_rss_mb"] = _hwm_mb()
    result["ru_maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # The largest layout process of a large PDF (exports.pdf_worker), if any ran.
    result["layout_process_peak_mb"] = (
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 if fmt == "pdf" else 0
    )
    Path(out_path).write_bytes(data)
    result["bytes"] = len(data)
    if steps:
        # Time from each progress message to the next, summed by step.
        by_step: dict[str, float] = {"render_html (inside render_pdf)": steps[0][0] - start}
        marks = [*steps, (end, "end")]
        for (t0, msg), (t1, _next) in pairwise(marks):
            key = re.sub(
                r" - (Page \d+.*|Repagination #\d+|HTML string|CSS string|\S+://.*)$", "", msg
            )
            by_step[key] = by_step.get(key, 0.0) + (t1 - t0)
        result["steps"] = by_step
        result["page_layout_s"] = [
            round(t1 - t0, 4)
            for (t0, msg), (t1, _next) in pairwise(marks)
            if "Creating layout - Page" in msg
        ]
        result["layout_pages"] = len(result["page_layout_s"])
        result["repaginations"] = sum(1 for _t, m in steps if "Repagination" in m)
    print(json.dumps(result, ensure_ascii=False))


def run_worker(args: list[str], env: dict[str, str]) -> dict:
    proc = subprocess.run(
        [sys.executable, str(WORKER), "--worker", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    if proc.returncode != 0:
        raise SystemExit(f"worker {args} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_timed(cmd: list[str]) -> tuple[float, float, int, float]:
    """Wall seconds, peak RSS in MB (largest process of the tree, from wait4), exit code
    and CPU seconds of the process tree."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return time.perf_counter() - start, usage.ru_maxrss / 1024, proc.returncode, cpu


# --- the benchmark document ------------------------------------------------------------------


def build_contents(out: Path) -> tuple[Path, Path, dict]:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from classifiers.demo import seed_classifiers
    from classifiers.models import Classifier, Node
    from classifiers.services import current_edition
    from councils.demo import seed_organisations_and_people
    from councils.models import User
    from deadlines.demo import seed_calendar
    from sbsh.demo import seed_demo_sqf
    from sbsh.document import services, services_tables
    from sbsh.document.content import NARRATIVE, version_content
    from sbsh.models import Part, Table1Row, Table2Entry, Table3Row

    seed_classifiers()
    seed_calendar()
    seed_organisations_and_people(password="bench-password-2026")
    version = seed_demo_sqf()
    assert version is not None, "the demo SQF was not created"
    demo = version_content(version)
    demo_path = out / "demo.json"
    demo_path.write_text(json.dumps(demo, ensure_ascii=False), encoding="utf-8")

    start = time.perf_counter()
    actor = User.objects.filter(username="drafter").first() or User.objects.order_by("pk").first()
    nkz, isco = current_edition(Classifier.NKZ), current_edition(Classifier.ISCO08)

    # The demo's levels 4 and 6 become sub-levels, so the document has the ten levels above.
    for model in (Table1Row, Table3Row, Table2Entry):
        model.objects.filter(version=version, sqf_level="4").update(sqf_level="4.1")
        for i, pk in enumerate(
            model.objects.filter(version=version, sqf_level="6").values_list("pk", flat=True)
        ):
            model.objects.filter(pk=pk).update(sqf_level="6.1" if i % 2 == 0 else "6.2")

    pools: dict[str, list[Node]] = {}
    for level, units in UNITS.items():
        nodes: list[Node] = []
        for unit in units:
            nodes += list(
                Node.objects.filter(
                    edition=nkz, level=6, code__startswith=unit, parent__level=5
                ).order_by("code")[:40]
            )
        pools[level] = nodes[::2] + nodes[1::2]

    # Table 1: 50 rows per section, levels cycled, text columns mixed from the demo's rows.
    demo_rows = list(Table1Row.objects.filter(version=version).order_by("section", "order"))
    n = 0
    for section in (1, 2, 3, 4):
        have = Table1Row.objects.filter(version=version, section=section).count()
        for k in range(T1_PER_SECTION - have):
            level = LEVELS[k % len(LEVELS)]
            pool = pools[level]
            occupations = [pool[(n + j) % len(pool)].pk for j in range(1 + n % 4)]
            values: dict = {"sqf_level": level, "nqf_level": int(level[0])}
            for c_i, col in enumerate(Table1Row.TEXT_COLUMNS):
                src = demo_rows[(n + 3 * c_i) % len(demo_rows)]
                for lang in ("kk", "ru"):
                    values[f"{col}_{lang}"] = getattr(src, f"{col}_{lang}")
            row = services_tables.table1_row_create(actor=actor, version=version, section=section)
            services_tables.table1_row_save(
                actor=actor,
                row=row,
                revision=row.revision,
                values=values,
                occupation_ids=occupations,
            )
            n += 1

    # Table 2: four occupations on every level, vertical links between neighbouring levels.
    on_level: dict[str, list] = {}
    for level in LEVELS:
        entries = list(Table2Entry.objects.filter(version=version, sqf_level=level))
        for node in pools[level]:
            if len(entries) >= 4:
                break
            if not any(e.occupation_id == node.pk for e in entries):
                entries.append(
                    services_tables.table2_entry_add(
                        actor=actor, version=version, sqf_level=level, occupation_id=node.pk
                    )
                )
        on_level[level] = entries
    for lower, upper in pairwise(LEVELS):
        services_tables.progression_link_add(
            actor=actor, version=version, source=on_level[lower][0], target=on_level[upper][0]
        )

    # Table 3: 300 rows, levels cycled, occupations from the level's pool, ISCO-08 by the
    # demo's pairing of the unit group (else the equal code), OKED subclasses from the demo.
    demo_t3 = list(Table3Row.objects.filter(version=version).select_related("nkz_unit"))
    isco_of_unit = {r.nkz_unit.code: r.isco_id for r in demo_t3}
    isco_by_code = dict(Node.objects.filter(edition=isco, level=4).values_list("code", "pk"))
    okeds = sorted({r.oked_id for r in demo_t3})
    for k in range(T3_ROWS - len(demo_t3)):
        level = LEVELS[k % len(LEVELS)]
        pool = pools[level]
        node = pool[(k // len(LEVELS)) % len(pool)]
        unit = node.code[:4]
        isco_id = (
            isco_of_unit.get(unit) or isco_by_code.get(unit) or isco_by_code[ISCO_FALLBACK[unit]]
        )
        services_tables.table3_row_save(
            actor=actor,
            version=version,
            row=None,
            revision=None,
            values=services_tables.Table3Values(
                isco_id=isco_id,
                occupation_id=node.pk,
                oked_id=okeds[k % len(okeds)],
                nqf_level=int(level[0]),
                sqf_level=level,
            ),
        )

    # Narrative: each part keeps its own paragraphs, then takes the demo's other paragraphs
    # in turn until it holds NARRATIVE_CHARS_PER_PART characters of text.
    parts = {p.key: p for p in Part.objects.filter(version=version)}
    blocks = {
        lang: [
            b.group(0)
            for key in NARRATIVE
            for b in re.finditer(
                r"<(p|ul|ol|h3|h4)\b[^>]*>.*?</\1>", demo["parts"][key][lang], re.S
            )
        ]
        for lang in ("kk", "ru")
    }
    for i, key in enumerate(NARRATIVE):
        texts = {}
        for lang in ("kk", "ru"):
            html, j = demo["parts"][key][lang], 7 * i
            while _text_len(html) < NARRATIVE_CHARS_PER_PART:
                html += blocks[lang][j % len(blocks[lang])]
                j += 1
            texts[lang] = html
        part = parts[key]
        services.part_save(
            actor=actor, part=part, revision=part.revision, text_kk=texts["kk"], text_ru=texts["ru"]
        )

    version.refresh_from_db()
    large = version_content(version)
    large_path = out / "large.json"
    large_path.write_text(json.dumps(large, ensure_ascii=False), encoding="utf-8")

    def narrative(content: dict) -> dict:
        return {
            lang: sum(_text_len(content["parts"][k][lang]) for k in NARRATIVE)
            for lang in ("kk", "ru")
        }

    shape = {
        "build_s": round(time.perf_counter() - start, 1),
        "levels": sorted(
            {r["sqf_level"] for r in large["table1"]}, key=lambda s: [int(x) for x in s.split(".")]
        ),
        "table1": len(large["table1"]),
        "table1_by_section": [
            sum(r["section"] == s for r in large["table1"]) for s in (1, 2, 3, 4)
        ],
        "table2_entries": len(large["table2"]["entries"]),
        "table2_groups": len({e["group"]["code"] for e in large["table2"]["entries"]}),
        "table2_links": len(large["table2"]["links"]),
        "table3": len(large["table3"]),
        "narrative_chars": narrative(large),
        "demo": {
            "table1": len(demo["table1"]),
            "table3": len(demo["table3"]),
            "narrative_chars": narrative(demo),
        },
    }
    return demo_path, large_path, shape


# --- PDF checks ------------------------------------------------------------------------------


def pdf_pages(path: Path) -> int | None:
    if not shutil.which("pdfinfo"):
        return None
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def margin_check(path: Path) -> dict:
    """Horizontal extent of all words on all pages (pt) against the text area of Annex §12."""
    html = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    limit = A4_WIDTH_PT - RIGHT_MARGIN_PT
    x_max, x_min, over = 0.0, A4_WIDTH_PT, 0
    for m in re.finditer(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"', html):
        lo, hi = float(m.group(1)), float(m.group(2))
        x_min, x_max = min(x_min, lo), max(x_max, hi)
        over += hi > limit + 0.5
    return {
        "x_min_pt": round(x_min, 1),
        "x_max_pt": round(x_max, 1),
        "text_area_pt": [round(LEFT_MARGIN_PT, 1), round(limit, 1)],
        "words_past_right_margin": over,
    }


def pages_with(path: Path, needles: dict[str, str]) -> dict[str, int | None]:
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = [" ".join(page.split()) for page in text.split("\f")]
    return {
        name: next((i for i, page in enumerate(pages, start=1) if needle[:25] in page), None)
        for name, needle in needles.items()
    }


# --- main ------------------------------------------------------------------------------------


def code_state() -> str:
    """The commit, and whether the renderers differ from it (read-only git)."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], capture_output=True, text=True, cwd=ROOT
        ).stdout.strip()

    changed = git("status", "--porcelain", "--", "exports", "templates/exports")
    return f"{git('rev-parse', '--short', 'HEAD')}" + (
        f" (renderers changed: {changed!r})" if changed else ""
    )


def machine() -> dict:
    """What this benchmark adds to the machine line of bench/_common.py."""
    from importlib.metadata import version

    import weasyprint

    lo = (
        subprocess.run(["soffice", "--version"], capture_output=True, text=True).stdout.strip()
        if shutil.which("soffice")
        else None
    )
    return {
        "weasyprint": weasyprint.__version__,
        "pydyf": version("pydyf"),
        "python-docx": version("python-docx"),
        "libreoffice": lo,
        "code": code_state(),
    }


def summary(values: list[float]) -> str:
    return (
        f"{min(values):.2f} / {statistics.median(values):.2f}"
        if len(values) > 1
        else f"{values[0]:.2f}"
    )


def main() -> None:
    import _common  # here, not at the top: the workers run a copy of this file from --out

    parser = _common.parser(__doc__, quick="--only large-kk --docx-runs 1 --pdf-runs 1", keep=False)
    parser.add_argument("--out", type=Path, help="default: a temporary folder")
    parser.add_argument("--docx-runs", type=int, default=3)
    parser.add_argument("--pdf-runs", type=int, default=1)
    parser.add_argument(
        "--profile", action="store_true", help="also profile the large Kazakh PDF with cProfile"
    )
    parser.add_argument("--no-libreoffice", action="store_true")
    parser.add_argument(
        "--only",
        action="append",
        metavar="DOC-LANG",
        help="render only these documents, e.g. --only large-kk (repeatable)",
    )
    args = parser.parse_args()
    if args.quick:
        args.only, args.docx_runs, args.pdf_runs = ["large-kk"], 1, 1
    wanted = set(args.only or [])

    out = (args.out or Path(tempfile.mkdtemp(prefix="sqf-bench-documents-"))).resolve()
    out.mkdir(parents=True, exist_ok=True)
    data_dir = out / "data"
    shutil.rmtree(data_dir, ignore_errors=True)
    os.environ["SQF_DATA_DIR"] = str(data_dir)
    os.environ.pop("DATABASE_URL", None)  # never a real database: SQLite in --out/data
    import django

    django.setup()
    env = {**os.environ, "SQF_BENCH_ROOT": str(ROOT)}
    global WORKER
    WORKER = out / "worker.py"
    shutil.copy(__file__, WORKER)

    _common.print_machine(**machine())
    demo_path, large_path, shape = build_contents(out)
    print(json.dumps(shape, ensure_ascii=False), flush=True)

    results: list[dict] = []
    for name, path in (("demo", demo_path), ("large", large_path)):
        for lang in ("kk", "ru"):
            if wanted and f"{name}-{lang}" not in wanted:
                continue
            for fmt, runs in (("docx", args.docx_runs), ("pdf", args.pdf_runs)):
                target = out / f"{name}-{lang}.{fmt}"
                reports = []
                for _ in range(runs):
                    report = run_worker([fmt, lang, str(path), str(target)], env)
                    reports.append(report)
                    print(name, json.dumps(report, ensure_ascii=False), flush=True)
                row = {
                    "doc": name,
                    "lang": lang,
                    "fmt": fmt,
                    "seconds": [r["seconds"] for r in reports],
                    "cpu_s": [r.get("cpu_s") for r in reports],
                    "peak_rss_mb": max(r["peak_rss_mb"] for r in reports),
                    "rss_before_mb": max(r["rss_before_mb"] for r in reports),
                    "bytes": reports[-1]["bytes"],
                }
                if fmt == "pdf":
                    row["pages"] = pdf_pages(target)
                    row["import_s"] = statistics.median(r["import_s"] for r in reports)
                    row["html_s"] = statistics.median(r["html_s"] for r in reports)
                    # In-process layout only (a small document): WeasyPrint's own steps.
                    row["steps"] = reports[-1].get("steps", {})
                    row["layout_pages"] = reports[-1].get("layout_pages", 0)
                    row["repaginations"] = reports[-1].get("repaginations", 0)
                    row["page_layout_s"] = reports[-1].get("page_layout_s", [])
                    row["stages"] = reports[-1].get("stages", {})
                    row["layout_process_peak_mb"] = max(
                        r.get("layout_process_peak_mb", 0) for r in reports
                    )
                results.append(row)

    # LibreOffice: the same DOCX files to PDF, one soffice process per file.
    lo_rows: list[dict] = []
    if shutil.which("soffice") and not args.no_libreoffice:
        profile = out / "lo-profile"
        lo_out = out / "libreoffice"
        lo_out.mkdir(exist_ok=True)

        def convert(docx_path: Path, label: str) -> None:
            cmd = [
                "soffice",
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(lo_out),
                str(docx_path),
            ]
            seconds, rss, rc, cpu = run_timed(cmd)
            pdf = lo_out / (docx_path.stem + ".pdf")
            row = {
                "label": label,
                "file": docx_path.name,
                "seconds": seconds,
                "cpu_s": cpu,
                "peak_rss_mb": rss,
                "rc": rc,
                "pages": pdf_pages(pdf) if pdf.exists() else None,
            }
            lo_rows.append(row)
            print("libreoffice", json.dumps(row), flush=True)

        shutil.rmtree(profile, ignore_errors=True)
        done = [f"{r['doc']}-{r['lang']}" for r in results if r["fmt"] == "docx"]
        # One cold start to warm the profile, then each document once, right after ours.
        convert(out / f"{done[0]}.docx", "cold (new profile)")
        for stem in done:
            convert(out / f"{stem}.docx", "warm")

    # Legibility of Tables 2 and 3, read back from each PDF (tests/exports/pdfcheck.py),
    # and our PDF against LibreOffice converting our DOCX of the same document.
    from exports.layout import document_model
    from tests.exports.pdfcheck import check as legibility
    from tests.exports.pdfcheck import expectations

    ratios = []
    for r in results:
        if r["fmt"] != "pdf":
            continue
        stem = f"{r['doc']}-{r['lang']}"
        content = json.loads((demo_path if r["doc"] == "demo" else large_path).read_text())
        expect = expectations(document_model(content, r["lang"]))
        for label, pdf in (
            ("ours", out / f"{stem}.pdf"),
            ("libreoffice", out / "libreoffice" / f"{stem}.pdf"),
        ):
            if pdf.exists():
                rep = legibility(pdf.read_bytes(), **expect)
                print(
                    "legibility",
                    label,
                    stem,
                    json.dumps(
                        {
                            "pages": len(rep.pages),
                            "table_pages": len(rep.table_pages),
                            "pages_without_heading": rep.headless_pages,
                            "caption_last_line": rep.caption_last,
                            "long_words_whole": round(rep.whole_share, 3),
                        }
                    ),
                    flush=True,
                )
        lo = [x for x in lo_rows if x["file"] == f"{stem}.docx" and x["label"] == "warm"]
        if lo:
            ratios.append(
                (
                    stem,
                    min(r["seconds"]),
                    lo[-1]["seconds"],
                    r["cpu_s"][0],
                    lo[-1]["cpu_s"],
                    r["peak_rss_mb"],
                    r.get("layout_process_peak_mb", 0),
                )
            )
    if ratios:
        print()
        print(
            "| document | our PDF s | LibreOffice s | ratio (wall) | our CPU s | LibreOffice CPU s"
            " | ratio (CPU) | peak RSS MB: main; largest layout process |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for stem, ours, theirs, cpu, lo_cpu, rss, child in ratios:
            print(
                f"| {stem} | {ours:.1f} | {theirs:.1f} | {ours / theirs:.2f} | {cpu or 0:.1f} "
                f"| {lo_cpu:.1f} | {(cpu or 0) / lo_cpu:.2f} | {rss:.0f}; {child:.0f} |"
            )
        print()

    # Where the parts fall, margins, and pictures of the large PDFs.
    from exports.captions import CAPTIONS

    for lang in ("kk", "ru"):
        c = CAPTIONS[lang]
        needles = {"table1": c["t1"], "table2": c["t2"], "table3": c["t3"]}
        for label, pdf in (
            ("weasyprint", out / f"large-{lang}.pdf"),
            ("libreoffice", out / "libreoffice" / f"large-{lang}.pdf"),
        ):
            if not pdf.exists():
                continue
            check = {
                **margin_check(pdf),
                "first_page": pages_with(pdf, needles),
                "pages": pdf_pages(pdf),
            }
            t3 = check["first_page"]["table3"] or 1
            if label == "weasyprint" and any(
                r["page_layout_s"]
                for r in results
                if (r["doc"], r["lang"], r["fmt"]) == ("large", lang, "pdf")
            ):  # laid out in this process, page by page (not in pieces)
                # Layout seconds and pages of each part (a part starts on the page of its caption).
                per_page = next(
                    (
                        r["page_layout_s"]
                        for r in results
                        if (r["doc"], r["lang"], r["fmt"]) == ("large", lang, "pdf")
                    ),
                    [],
                )
                first = check["first_page"]
                bounds = [1, first["table1"], first["table2"], first["table3"], len(per_page) + 1]
                check["layout_s_by_part"] = {
                    part: [round(sum(per_page[a - 1 : b - 1]), 1), b - a]
                    for part, a, b in zip(
                        ("front and narrative", "table 1", "table 2", "table 3"),
                        bounds,
                        bounds[1:],
                        strict=False,
                    )
                    if a and b
                }
            for page in (1, t3 + 1):
                prefix = out / f"png-{label}-{lang}-p{page}"
                subprocess.run(
                    [
                        "pdftoppm",
                        "-png",
                        "-r",
                        "80",
                        "-f",
                        str(page),
                        "-l",
                        str(page),
                        "-singlefile",
                        str(pdf),
                        str(prefix),
                    ],
                    check=True,
                )
            print("check", label, lang, json.dumps(check, ensure_ascii=False), flush=True)

    if args.profile:
        stats_path = out / "profile-large-kk.pstats"
        report = run_worker(
            ["pdf", "kk", str(large_path), str(out / "profiled-kk.pdf"), str(stats_path)], env
        )
        print(
            "profiled render (with cProfile's overhead):", f"{report['seconds']:.1f} s", flush=True
        )
        import pstats

        with (out / "profile-large-kk.txt").open("w") as fh:
            stats = pstats.Stats(str(stats_path), stream=fh)
            stats.sort_stats("cumulative").print_stats(80)
            stats.sort_stats("tottime").print_stats(40)
        print("profile:", out / "profile-large-kk.txt")

    print()
    print("| document | lang | format | pages | seconds (min / median) | peak RSS MB | size |")
    print("|---|---|---|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['doc']} | {r['lang']} | {r['fmt'].upper()} | {r.get('pages') or ''} | {summary(r['seconds'])} "
            f"| {r['peak_rss_mb']:.0f} | {r['bytes'] / 1024:.0f} KB |"
        )
    for r in lo_rows:
        print(
            f"| {r['file']} | | LibreOffice, {r['label']} | {r['pages'] or ''} | {r['seconds']:.2f} "
            f"| {r['peak_rss_mb']:.0f} | |"
        )
    print()
    for r in results:
        if r["fmt"] == "pdf":
            steps = "; ".join(f"{k}: {v:.2f}" for k, v in r["steps"].items())
            if r["stages"]:
                steps += " stages in pieces (s): " + "; ".join(
                    f"{k}: {v:.2f}" for k, v in r["stages"].items()
                )
            print(
                f"{r['doc']} {r['lang']} PDF: import weasyprint {r['import_s']:.2f} s, render_html {r['html_s']:.2f} s,"
                f" {r['layout_pages']} pages laid out, {r['repaginations']} repaginations; steps (s): {steps}"
            )
    print("load average at the end:", os.getloadavg(), "code:", code_state())
    print("output:", out)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(*sys.argv[2:6], sys.argv[6] if len(sys.argv) > 6 else None)
    else:
        main()
