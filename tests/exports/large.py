"""A large SQF made from the demo's content, of the size bench/documents.py grows: 200
Table 1 rows (50 per section), Table 2 with 40 occupations in 13 unit groups on ten
levels, 300 Table 3 rows and about 9,000 characters of narrative per part."""

from __future__ import annotations

import copy
from typing import Any

LEVELS = ["1", "2", "3", "4.1", "4.2", "5", "6.1", "6.2", "7", "8"]


def large_content(demo: dict[str, Any]) -> dict[str, Any]:
    c = copy.deepcopy(demo)
    rows = demo["table1"]
    c["table1"] = []
    for section in (1, 2, 3, 4):
        for k in range(50):
            row = copy.deepcopy(rows[(section * 7 + k) % len(rows)])
            row["section"] = section
            row["sqf_level"] = LEVELS[k % len(LEVELS)]
            row["nqf_level"] = int(row["sqf_level"][0])
            c["table1"].append(row)
    t3 = demo["table3"]
    c["table3"] = []
    for k in range(300):
        row = copy.deepcopy(t3[k % len(t3)])
        row["sqf_level"] = LEVELS[k % len(LEVELS)]
        row["nqf_level"] = int(row["sqf_level"][0])
        c["table3"].append(row)
    entries = demo["table2"]["entries"]
    groups = {e["group"]["code"]: e["group"] for e in entries}
    # More unit groups: the Table 3 rows' groups that Table 2 lacks, with their occupations.
    for r in t3:
        code = r["nkz_unit"]["code"]
        if code not in groups and len(groups) < 13:
            groups[code] = r["nkz_unit"]
            entries = [
                *entries,
                {
                    "sqf_level": r["sqf_level"],
                    "group": r["nkz_unit"],
                    "occupation": r["occupation"],
                },
            ]
    grown = []
    for i in range(40):
        e = copy.deepcopy(entries[i % len(entries)])
        e["sqf_level"] = LEVELS[i % len(LEVELS)]
        grown.append(e)
    c["table2"]["entries"] = grown
    for key, texts in c["parts"].items():
        for lang in ("kk", "ru"):
            base = texts[lang] or demo["parts"]["general"][lang]
            texts[lang] = base * max(1, 9000 // max(1, len(base)))
        c["parts"][key] = texts
    return c
