"""The document in one language, laid out from the JSON content (no database).

`document_model(content, lang)` turns the content (exports.content) into what both
renderers need: captions in the document's language, names in that language, Table 1
grouped by process section, the Table 2 grid, and the 22 physical columns of Table 3.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from exports.captions import CAPTIONS, PART_CAPTION, PROCESS_PARTS

SECTIONS = (1, 2, 3, 4)
# Table 3: widths (mm of the 165 mm between the margins) of its 18 numbered columns. The
# five OKED levels share column 13, one per line, as the Annex numbers them: in portrait
# at 12 pt (Annex §12) five separate columns would leave each under 5 mm.
T3_WEIGHTS = [6, 11, 10, 10, 7, 11, 10, 10, 7, 14, 10, 10, 13, 6, 13, 5, 5, 8]
T3_NUMBERS = list(range(1, 19))


@dataclass
class Named:
    code: str
    title: str
    name_kk: str = ""
    name_ru: str = ""
    name_en: str = ""


@dataclass
class Model:
    lang: str
    c: dict[str, str]
    name: str
    approved_on: str | None
    version: dict[str, Any]
    passport: dict[str, Any]
    parts: list[dict[str, Any]]
    standards: list[dict[str, Any]]
    table1: list[dict[str, Any]]
    table2: dict[str, Any]
    table3: list[dict[str, Any]]
    t3_widths: list[float] = field(default_factory=list)
    # Annex §9: the Table 1 form carries a fill-in line under its caption; it is filled
    # with the sector the SQF covers.
    t1_fill: str = ""
    t3_numbers: list[int] = field(default_factory=lambda: list(T3_NUMBERS))


def _experience(link: dict[str, Any], lang: str, c: dict[str, str]) -> str:
    """Rules §8.4: the work experience a career move takes, as the document prints it."""
    if link.get("experience_years") is None:
        return ""
    note = (link.get(f"experience_note_{lang}") or "").strip()
    text = f"{c['t2_experience']}: {link['experience_years']}"
    return f"{text} — {note}" if note else text


def _named(node: dict[str, Any], lang: str) -> Named:
    names = node.get("name", {})
    order = (lang, "ru" if lang == "kk" else "kk", "en")
    title = next((names.get(code) for code in order if names.get(code)), "")
    return Named(node["code"], title, names.get("kk", ""), names.get("ru", ""), names.get("en", ""))


def _level_key(level: str) -> list[int]:
    return [int(p) for p in level.split(".") if p.isdigit()]


def document_model(content: dict[str, Any], lang: str) -> Model:
    c = CAPTIONS[lang]
    parts_in = content["parts"]
    parts = []
    for key in [
        "general",
        "current_state",
        *PROCESS_PARTS,
        "analysis",
        "occupations",
        "conclusions",
    ]:
        entry = {"key": key, "html": parts_in.get(key, {}).get(lang, "")}
        if key in PART_CAPTION:
            entry["heading"] = c[PART_CAPTION[key]]
        else:
            entry["subheading"] = c[key]
        parts.append(entry)

    table1 = []
    for section in SECTIONS:
        rows = [r for r in content["table1"] if r["section"] == section]
        table1.append(
            {
                "caption": c[f"t1_sec{section}"],
                "rows": [
                    {
                        "sqf_level": r["sqf_level"],
                        "nqf_level": r["nqf_level"],
                        "occupations": [_named(n, lang) for n in r["occupations"]],
                        **{
                            col: r[col][lang]
                            for col in ("stages", "role", "knowledge", "skills", "competences")
                        },
                    }
                    for r in rows
                ],
            }
        )

    entries = content["table2"]["entries"]
    groups_by_code: dict[str, Named] = {}
    for e in entries:
        groups_by_code.setdefault(e["group"]["code"], _named(e["group"], lang))
    groups = [groups_by_code[code] for code in sorted(groups_by_code)]
    levels = sorted({e["sqf_level"] for e in entries}, key=_level_key, reverse=True)
    grid = [
        (
            level,
            [
                [
                    _named(e["occupation"], lang)
                    for e in entries
                    if e["sqf_level"] == level and e["group"]["code"] == g.code
                ]
                for g in groups
            ],
        )
        for level in levels
    ]
    links = [
        {**link, "kind": c[link["kind"]], "experience": _experience(link, lang, c)}
        for link in content["table2"]["links"]
    ]

    def corr(value: str) -> str:
        return c.get(f"corr_{value}", value)

    table3 = []
    for r in content["table3"]:
        oked = [_named(n, lang) for n in r["oked"]]
        oked += [Named("", "")] * (5 - len(oked))
        table3.append(
            {
                "isco": _named(r["isco"], lang),
                "isco_corr": corr(r["isco_correspondence"]),
                "nkz_unit": _named(r["nkz_unit"], lang),
                "nkz_corr": corr(r["nkz_correspondence"]),
                "nkz_group": _named(r["nkz_group"], lang),
                "oked": oked[:5],
                "main_group": _named(r["nkz_main_group"], lang),
                "occupation": _named(r["occupation"], lang),
                "skill_level": r["skill_level"],
                "nqf_level": r["nqf_level"],
                "sqf_level": r["sqf_level"],
            }
        )
    total = sum(T3_WEIGHTS)
    return Model(
        lang=lang,
        c=c,
        name=content["name"][lang],
        approved_on=content["version"]["approved_on"],
        version=content["version"],
        passport={
            "sector": content["passport"]["sector_description"][lang],
            "oked": [_named(n, lang) for n in content["passport"]["oked"]],
            "nkz": [_named(n, lang) for n in content["passport"]["nkz_groups"]],
        },
        parts=parts,
        standards=[
            {
                "name": s["name"][lang],
                "status": c[s["status"]],
                "nkz": [_named(n, lang) for n in s["nkz"]],
            }
            for s in content["standards"]
        ],
        table1=table1,
        table2={"groups": groups, "grid": grid, "links": links},
        table3=table3,
        t3_widths=[round(w * 100 / total, 2) for w in T3_WEIGHTS],
        t1_fill=(content.get("framework", {}).get("sector", {}) or {}).get(lang, ""),
    )
