"""The clause-by-clause coverage page (docs/rules-coverage.md), generated from the
`Rules §N` and `Annex §N` citations in the code and the tests, with the documented
interpretations and the local policies (sbsh/workflow/policy.py). `python manage.py
rules_coverage` writes it; a test keeps the committed page current.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "docs" / "rules-coverage.md"
CODE_DIRS = ["config", *settings.PROJECT_APPS, "templates"]
TEST_DIRS = ["tests"]
SUFFIXES = {".py", ".html", ".txt"}
# The generator and its test name every clause; they implement none.
SELF = {
    "sbsh/rules_coverage.py",
    "sbsh/management/commands/rules_coverage.py",
    "tests/sbsh/test_rules_coverage.py",
}

# The clauses of Order No. 384 (chapters 1–3) and of its Annex, with what each is about.
CLAUSES: list[tuple[str, str]] = [
    ("Rules §1", "scope: the order of developing and (or) updating SQFs"),
    ("Rules §2", "terms and definitions (glossary)"),
    ("Rules §3", "purposes of an SQF"),
    ("Rules §4", "the state body develops the SQF to the Annex's structure"),
    ("Rules §5", "grounds: council members' proposals, the state body's analysis"),
    ("Rules §6", "grounds to the council every year by the end of Q1"),
    ("Rules §7", "the working group the state body may draw in"),
    ("Rules §8", "preparatory work within 60 working days; its six results; the NQF"),
    ("Rules §9", "descriptors per level; sub-levels allowed"),
    ("Rules §10", "the professional qualification map (Table 3)"),
    ("Rules §11", "drafting and submission within 20 working days"),
    ("Rules §12", "council approves or sends recommendations within 5 working days"),
    ("Rules §13", "revision in 5 working days; re-review in 2"),
    ("Rules §14", "hand-over in Kazakh and Russian within 3 working days"),
    ("Rules §15", "grounds for an update"),
    ("Rules §16", "an update follows §7–§14"),
    ("Annex §1", "name and date of approval"),
    ("Annex §2", "passport"),
    ("Annex §3", "general provisions"),
    ("Annex §4", "current state of the sector, five process sections"),
    ("Annex §5", "sector analysis"),
    ("Annex §6", "main groups of positions and occupations"),
    ("Annex §7", "list of professional standards"),
    ("Annex §8", "conclusions and proposals"),
    ("Annex §9", "Table 1 — qualification levels"),
    ("Annex §10", "Table 2 — functional map"),
    ("Annex §11", "Table 3 — professional qualification map"),
    ("Annex §12", "formatting"),
]

# Readings of the text that the code makes where the words allow more than one.
INTERPRETATIONS: list[tuple[str, str, str]] = [
    (
        "Rules §8",
        "“күннен кейін”: a period of N working days after the day of an event ends with "
        "the N-th working day after it; the day itself is never counted (also §11, §12, §14).",
        "deadlines/rules.py (Clock.count_event_day), deadlines/calendar.py",
    ),
    (
        "Rules §13",
        "“келіп түскен күнінен бастап” (re-review) is counted like the others; "
        "`count_event_day=True` on that one clock reads it inclusively.",
        "deadlines/rules.py",
    ),
    (
        "Rules §13",
        "The revision's five days run from the day the recommendations are sent "
        "(recorded), not from the council's meeting (§12 “жібереді”).",
        "sbsh/workflow/decisions.py:decision_on_draft",
    ),
    (
        "Rules §6",
        "31 March of the year after the analysis, moved to the next working day; the daily "
        "check opens each state body's clock for the year just ended.",
        "deadlines/calendar.py:grounds_deadline, sbsh/workflow/decisions.py:grounds_year_clocks_open",
    ),
    (
        "Rules §14",
        "A hand-over returned for a technical reason keeps its §14 clock (met, marked "
        "returned); the re-send runs on its own clock of three working days from the return.",
        "deadlines/rules.py (Stage.HANDOVER_RESEND), sbsh/workflow/moves.py",
    ),
    (
        "Rules §16",
        "An update needs a §15 ground, not a §5 ground (§16 applies §7–§14 only).",
        "sbsh/workflow/decisions.py:decision_on_grounds",
    ),
    (
        "Rules §5",
        "§5.1 proposals are the council members'; a secretary records one only on a named "
        "member's behalf.",
        "sbsh/workflow/decisions.py:ground_create",
    ),
]

_CITATION = re.compile(r"\b(Rules|Annex) §(\d+)(?:\.\d+)?(?:\s*[–-]\s*§?(\d+)(?:\.\d+)?)?")


def citations(text: str) -> list[str]:
    """The clauses cited in `text`: "Rules §12.3" → Rules §12; "Rules §5–§6" → §5, §6."""
    found = []
    for kind, first, last in _CITATION.findall(text):
        start = int(first)
        end = int(last) if last and int(last) >= start and int(last) - start < 20 else start
        found.extend(f"{kind} §{n}" for n in range(start, end + 1))
    return found


def _scan(dirs: list[str]) -> dict[str, Counter[str]]:
    """clause → Counter of the files citing it (paths relative to the project)."""
    result: dict[str, Counter[str]] = {}
    for directory in dirs:
        for path in sorted((ROOT / directory).rglob("*")):
            if path.suffix not in SUFFIXES or "migrations" in path.parts or not path.is_file():
                continue
            rel = path.relative_to(ROOT).as_posix()
            if rel in SELF:
                continue
            for clause in citations(path.read_text(encoding="utf-8", errors="replace")):
                result.setdefault(clause, Counter())[rel] += 1
    return result


def _files(counter: Counter[str] | None) -> str:
    if not counter:
        return "—"
    return ", ".join(f"`{path}` ({n})" for path, n in sorted(counter.items()))


def _folders(counter: Counter[str] | None) -> str:
    """The folders (one per concern) of the code citing a clause, most citations first."""
    if not counter:
        return "—"
    folders: Counter[str] = Counter()
    for path, n in counter.items():
        folders[path.rsplit("/", 1)[0] + "/"] += n
    return ", ".join(f"`{folder}` ({n})" for folder, n in folders.most_common())


def page() -> str:
    from sbsh.workflow.policy import POLICIES

    code, tests = _scan(CODE_DIRS), _scan(TEST_DIRS)
    lines = [
        "# Rules coverage",
        "",
        "Generated by `python manage.py rules_coverage` from the `Rules §N` and `Annex §N`",
        "citations in the code and the tests (sub-items count for their clause; a range such",
        "as `Rules §5–§6` for each clause in it). Do not edit by hand: a test fails when this",
        "page is out of date. Numbers in brackets are citations per folder or file. The",
        'folders are the concerns (docs/architecture.md): `grep -rn "Rules §12"` lands in them.',
        "",
        "## Clauses",
        "",
        "| clause | about | where (folders) | code | tests |",
        "|---|---|---|---|---|",
    ]
    for clause, about in CLAUSES:
        found = code.get(clause)
        lines.append(
            f"| {clause} | {about} | {_folders(found)} | {_files(found)} "
            f"| {_files(tests.get(clause))} |"
        )
    missing = [c for c, _a in CLAUSES if not code.get(c) or not tests.get(c)]
    lines += [
        "",
        f"Clauses without code or tests: {', '.join(missing) if missing else 'none'}.",
        "",
        "## Interpretations",
        "",
        "| clause | reading | where |",
        "|---|---|---|",
    ]
    lines += [f"| {c} | {text} | {where} |" for c, text, where in INTERPRETATIONS]
    lines += [
        "",
        "## Local policies (not the Rules)",
        "",
        "Product rules of this workbench, listed in `sbsh/workflow/policy.py`; messages mark them",
        "*policy*. An administrator switches each switchable one in *Administration → Local",
        "policy switches*.",
        "",
        "| policy | switch (key) | interprets | where | reason |",
        "|---|---|---|---|---|",
    ]
    from django.utils import translation

    with translation.override("en"):
        for p in POLICIES.values():
            switch = f"`{p.key}`" if p.switchable else f"`{p.key}` (always on)"
            lines.append(f"| {p.label} | {switch} | {p.near} | `{p.where}` | {p.reason} |")
    return "\n".join(lines) + "\n"


def missing_clauses() -> list[str]:
    code, tests = _scan(CODE_DIRS), _scan(TEST_DIRS)
    return [c for c, _a in CLAUSES if not code.get(c) or not tests.get(c)]
