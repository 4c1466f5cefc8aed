"""What reading a classifier file yields: checked rows, or the problems that reject it.

Shared by the readers of every upload (classifier files, the crosswalk, the NQF, the
calendar, the SQF workbook): a `Problem` names file, row and column, and
`ImportRejected` carries all of them so the whole file is refused at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

MAX_PROBLEMS = 200


@dataclass
class Problem:
    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(_("row %(row)s") % {"row": self.row})
        if self.column:
            where.append(_("column %(column)s") % {"column": self.column})
        return f"{', '.join(where)}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "row": self.row, "column": self.column, "message": self.message}


class ImportRejected(Exception):
    def __init__(self, problems: list[Problem], total: int | None = None) -> None:
        self.problems = problems[:MAX_PROBLEMS]
        self.total = total if total is not None else len(problems)
        super().__init__("; ".join(str(p) for p in self.problems[:5]))


@dataclass
class Row:
    line: int
    code: str
    level: int
    parent_code: str
    name_kk: str = ""
    name_ru: str = ""
    name_en: str = ""
    description_en: str = ""
    skill_level: int | None = None
    valid_from: dt.date | None = None


@dataclass
class Parsed:
    classifier: str
    source_name: str
    source_format: str
    sha256: str
    rows: list[Row] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for row in self.rows:
            out[str(row.level)] = out.get(str(row.level), 0) + 1
        return dict(sorted(out.items()))


Progress = Callable[[str, int, int], None]


def no_progress(stage: str, done: int, total: int) -> None:
    return None
