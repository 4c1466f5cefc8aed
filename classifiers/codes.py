"""The codes of each classifier: their shape per level, the names they need, how they
nest under their parents, and the skill level read from an ISCO-08 or NKZ code.

Pure Python: `check_rows` lists every problem of a file's rows (importers.parse)."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from classifiers.rows import Problem, Row

NKZ, OKED, ISCO08 = "nkz", "oked", "isco08"

# The shape of a code at each level. NKZ level 0 holds the special codes (Х…, Y1000 …).
SHAPES: dict[str, dict[int, re.Pattern[str]]] = {
    NKZ: {
        1: re.compile(r"[1-9]"),
        2: re.compile(r"\d{2}"),
        3: re.compile(r"\d{3}"),
        4: re.compile(r"\d{4}"),
        5: re.compile(r"\d{4}-\d"),
        6: re.compile(r"\d{4}-\d-\d{3}"),
        0: re.compile(r"[0-9A-ZХY][0-9A-ZХY\-]{0,19}"),
    },
    OKED: {
        1: re.compile(r"[A-U]"),
        2: re.compile(r"\d{2}"),
        3: re.compile(r"\d{3}"),
        4: re.compile(r"\d{4}"),
        5: re.compile(r"\d{5}"),
    },
    ISCO08: {
        1: re.compile(r"\d"),
        2: re.compile(r"\d{2}"),
        3: re.compile(r"\d{3}"),
        4: re.compile(r"\d{4}"),
    },
}

REQUIRED_NAMES = {NKZ: ("ru", "kk"), OKED: ("ru", "kk"), ISCO08: ("en",)}

# Levels whose code starts with the parent's code (OKED divisions hang under a letter).
PREFIX_LEVELS = {NKZ: {2, 3, 4, 5, 6}, OKED: {3, 4, 5}, ISCO08: {2, 3, 4}}


def level_from_shape(classifier: str, code: str) -> int:
    for level, pattern in SHAPES[classifier].items():
        if level and pattern.fullmatch(code):
            return level
    return 0


def check_rows(classifier: str, file: str, rows: list[Row], problems: list[Problem]) -> None:
    shapes = SHAPES[classifier]
    by_code: dict[str, Row] = {}
    for row in rows:
        if not row.code:
            problems.append(Problem(file, row.line, "code", _("The code is empty.")))
            continue
        if row.code in by_code:
            problems.append(
                Problem(
                    file,
                    row.line,
                    "code",
                    _("Duplicate code %(code)s (first seen in row %(first)s).")
                    % {"code": row.code, "first": by_code[row.code].line},
                )
            )
            continue
        by_code[row.code] = row
        pattern = shapes.get(row.level)
        if pattern is None:
            problems.append(
                Problem(
                    file,
                    row.line,
                    "level",
                    _("Level %(level)s does not exist in this classifier (levels: %(levels)s).")
                    % {"level": row.level, "levels": ", ".join(str(k) for k in sorted(shapes))},
                )
            )
        elif not pattern.fullmatch(row.code) or (
            row.level == 0 and level_from_shape(classifier, row.code)
        ):
            problems.append(
                Problem(
                    file,
                    row.line,
                    "level",
                    _("Code %(code)s does not have the shape of level %(level)s.")
                    % {"code": row.code, "level": row.level},
                )
            )
        for lang in REQUIRED_NAMES[classifier]:
            if not getattr(row, f"name_{lang}"):
                problems.append(
                    Problem(
                        file,
                        row.line,
                        f"name_{lang}",
                        _("The name in %(language)s is empty.")
                        % {
                            "language": {"ru": _("Russian"), "kk": _("Kazakh"), "en": _("English")}[
                                lang
                            ]
                        },
                    )
                )
        if row.skill_level is not None and not 1 <= row.skill_level <= 4:
            problems.append(
                Problem(file, row.line, "skill_level", _("A skill level is 1, 2, 3 or 4."))
            )
    for row in rows:
        if by_code.get(row.code) is not row:
            continue
        if row.level == 1 and row.parent_code:
            problems.append(
                Problem(file, row.line, "parent_code", _("A top-level code has no parent."))
            )
            continue
        if row.level in (1, 0) and not row.parent_code:
            continue
        if not row.parent_code:
            problems.append(
                Problem(
                    file,
                    row.line,
                    "parent_code",
                    _("Code %(code)s has no parent.") % {"code": row.code},
                )
            )
            continue
        parent = by_code.get(row.parent_code)
        if parent is None:
            problems.append(
                Problem(
                    file,
                    row.line,
                    "parent_code",
                    _("The parent %(parent)s of %(code)s is not in the file.")
                    % {"parent": row.parent_code, "code": row.code},
                )
            )
            continue
        if row.level > 1 and parent.level != row.level - 1:
            problems.append(
                Problem(
                    file,
                    row.line,
                    "parent_code",
                    _(
                        "The parent %(parent)s is on level %(plevel)s; a level-%(level)s code needs a parent on level %(expected)s."
                    )
                    % {
                        "parent": parent.code,
                        "plevel": parent.level,
                        "level": row.level,
                        "expected": row.level - 1,
                    },
                )
            )
        elif row.level in PREFIX_LEVELS[classifier] and not row.code.startswith(parent.code):
            problems.append(
                Problem(
                    file,
                    row.line,
                    "parent_code",
                    _("Code %(code)s does not begin with its parent's code %(parent)s.")
                    % {"code": row.code, "parent": parent.code},
                )
            )
    # Cycles can only arise among level-0 codes, whose parents are not level-checked.
    for row in rows:
        seen, current = {row.code}, by_code.get(row.parent_code)
        while current is not None and current.parent_code:
            if current.code in seen:
                problems.append(
                    Problem(
                        file,
                        row.line,
                        "parent_code",
                        _("The parents of %(code)s form a loop.") % {"code": row.code},
                    )
                )
                break
            seen.add(current.code)
            current = by_code.get(current.parent_code)


def derived_skill_level(classifier: str, code: str) -> int | None:
    """ISCO-08's skill level by major group (isco08/isco08_major_group_skill_levels.csv).

    Major group 1 spans levels 3 and 4: sub-major group 14 (hospitality, retail and
    other services managers) is level 3, the other managers level 4. ISCO's armed
    forces split likewise: 01 → 4, 02 → 2, 03 → 1. NKZ ships no skill level per code,
    so its major groups 1–9 are read as ISCO's (by analogy, not by an official table).
    """
    if not code or not code[0].isdigit() or (classifier == NKZ and code.startswith("1-")):
        return None
    major = code[0]
    if major == "0":
        return {"01": 4, "02": 2, "03": 1}.get(code[:2]) if classifier == ISCO08 else None
    if major == "1":
        return 3 if code[:2] == "14" else (4 if len(code) >= 2 else None)
    return {"2": 4, "3": 3, "4": 2, "5": 2, "6": 2, "7": 2, "8": 2, "9": 1}[major]
