"""Career paths as a picture (Annex §10: Table 2's horizontal and vertical moves).

`career_svg(...)` draws Table 2's grid as SVG on the server, so it works without JavaScript
and in print: SQF levels as rows (highest on top, as in the table), NKZ unit groups as
columns, each occupation a box naming its code and title, vertical moves as solid arrows
(with the work experience once recorded), horizontal moves as dashed ones. The SVG is
built with ElementTree, so every name is escaped, and carries no script and no style
element (presentation attributes only), which the site's CSP allows anywhere.

Pure: it reads plain data (from a publication's content or from the editor's rows).
"""

from __future__ import annotations

import textwrap
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

SVG_NS = "http://www.w3.org/2000/svg"
ET.register_namespace("", SVG_NS)

LEVEL_W, COL_W, HEAD_H = 64, 208, 76
NODE_W, NODE_H, GAP, PAD = 184, 48, 14, 14
FONT = "Liberation Sans, Arial, sans-serif"
VERTICAL, HORIZONTAL = "#1f5fa8", "#b25d00"
WRAP = 30


@dataclass(frozen=True)
class Occupation:
    level: str
    group: str
    group_title: str
    code: str
    title: str


@dataclass(frozen=True)
class Move:
    source: tuple[str, str]  # (level, occupation code)
    target: tuple[str, str]
    kind: str  # "vertical" | "horizontal"
    experience_years: Any = None


def level_key(level: str) -> list[int]:
    return [int(x) for x in str(level).split(".")]


def content_language(lang: str | None) -> str:
    """SQF content exists in Kazakh and Russian; an English reader gets Russian."""
    return "kk" if (lang or "kk").startswith("kk") else "ru"


def from_content(content: dict[str, Any], lang: str) -> tuple[list[Occupation], list[Move]]:
    lang = content_language(lang)
    occupations = [
        Occupation(
            level=e["sqf_level"],
            group=e["group"]["code"],
            group_title=e["group"]["name"][lang] or e["group"]["name"]["ru"],
            code=e["occupation"]["code"],
            title=e["occupation"]["name"][lang] or e["occupation"]["name"]["ru"],
        )
        for e in content["table2"]["entries"]
    ]
    moves = [
        Move(
            source=(link["from_level"], link["from"]),
            target=(link["to_level"], link["to"]),
            kind=link["kind"],
            experience_years=link.get("experience_years"),
        )
        for link in content["table2"]["links"]
    ]
    return occupations, moves


def from_rows(
    entries: list[Any], links: list[Any], lang: str
) -> tuple[list[Occupation], list[Move]]:
    """The editor's Table2Entry and ProgressionLink rows (with group and occupation loaded)."""
    lang = content_language(lang)

    def title(node: Any) -> str:
        return getattr(node, f"title_{lang}") or node.title_ru

    by_id = {e.pk: e for e in entries}
    occupations = [
        Occupation(
            e.sqf_level, e.group.code, title(e.group), e.occupation.code, title(e.occupation)
        )
        for e in entries
    ]
    moves = []
    for link in links:
        source, target = by_id.get(link.source_id), by_id.get(link.target_id)
        if source is None or target is None:
            continue
        moves.append(
            Move(
                source=(source.sqf_level, source.occupation.code),
                target=(target.sqf_level, target.occupation.code),
                kind=link.kind,
                # Recorded by the Table 2 editor once it asks for it (work experience, Rules §8.4).
                experience_years=getattr(link, "experience_years", None),
            )
        )
    return occupations, moves


LABELS = {
    "kk": {
        "title": "Мансаптық жолдар (2-кесте)",
        "level": "СБШ деңгейі",
        "vertical": "тік ауысу (деңгейлер арасында)",
        "horizontal": "көлденең ауысу (бір деңгейде)",
        "years": "{n} ж. өтіл",
        "desc": "{o} кәсіп, {m} ауысу. Мәтіндік нұсқасы — суреттің астындағы ауысулар тізімі.",
    },
    "ru": {
        "title": "Карьерные траектории (таблица 2)",
        "level": "Уровень ОРК",
        "vertical": "вертикальный переход (между уровнями)",
        "horizontal": "горизонтальный переход (на одном уровне)",
        "years": "стаж {n} г.",
        "desc": "{o} занятий, {m} переходов. Текстовая версия — список переходов под рисунком.",
    },
}


def _text(parent: ET.Element, x: float, y: float, text: str, **attrs: Any) -> ET.Element:
    el = ET.SubElement(
        parent,
        f"{{{SVG_NS}}}text",
        {
            "x": f"{x:.0f}",
            "y": f"{y:.0f}",
            "font-family": FONT,
            **{k.replace("_", "-"): str(v) for k, v in attrs.items()},
        },
    )
    el.text = text
    return el


def _lines(text: str, width: int, most: int) -> list[str]:
    lines = textwrap.wrap(" ".join(text.split()), width) or [""]
    if len(lines) > most:
        lines = lines[:most]
        lines[-1] = lines[-1][: width - 1].rstrip() + "…"
    return lines


def career_svg(occupations: list[Occupation], moves: list[Move], lang: str) -> str:
    lang = content_language(lang)
    words = LABELS[lang]
    levels = sorted({o.level for o in occupations}, key=level_key, reverse=True)
    groups = sorted({(o.group, o.group_title) for o in occupations})
    column = {g: i for i, (g, _t) in enumerate(groups)}
    cells: dict[tuple[str, str], list[Occupation]] = {}
    for o in sorted(occupations, key=lambda o: o.code):
        cells.setdefault((o.level, o.group), []).append(o)
    row_h = {
        level: PAD * 2
        + max(len(cells.get((level, g), [])) for g, _t in groups) * (NODE_H + GAP)
        - GAP
        for level in levels
    }
    row_y: dict[str, float] = {}
    y = HEAD_H
    for level in levels:
        row_y[level] = y
        y += row_h[level]
    legend_y = y + 24
    width = LEVEL_W + COL_W * max(len(groups), 1) + 8
    height = legend_y + 28

    svg = ET.Element(
        f"{{{SVG_NS}}}svg",
        {
            "width": str(width),
            "height": f"{height:.0f}",
            "viewBox": f"0 0 {width} {height:.0f}",
            "role": "img",
            "aria-labelledby": "careers-title careers-desc",
            "lang": lang,
        },
    )
    ET.SubElement(svg, f"{{{SVG_NS}}}title", {"id": "careers-title"}).text = words["title"]
    ET.SubElement(svg, f"{{{SVG_NS}}}desc", {"id": "careers-desc"}).text = words["desc"].format(
        o=len(occupations), m=len(moves)
    )
    defs = ET.SubElement(svg, f"{{{SVG_NS}}}defs")
    for name, colour in (("v", VERTICAL), ("h", HORIZONTAL)):
        marker = ET.SubElement(
            defs,
            f"{{{SVG_NS}}}marker",
            {
                "id": f"arrow-{name}",
                "viewBox": "0 0 10 10",
                "refX": "9",
                "refY": "5",
                "markerWidth": "7",
                "markerHeight": "7",
                "orient": "auto-start-reverse",
            },
        )
        ET.SubElement(marker, f"{{{SVG_NS}}}path", {"d": "M0,0 L10,5 L0,10 z", "fill": colour})
    ET.SubElement(
        svg,
        f"{{{SVG_NS}}}rect",
        {"width": str(width), "height": f"{height:.0f}", "fill": "#ffffff"},
    )

    # Grid: header row of groups, a band per level.
    for j, line in enumerate(_lines(words["level"], 9, 2)):
        _text(svg, 8, HEAD_H - 26 + j * 13, line, font_size=11, font_weight="bold", fill="#333")
    for i, (code, title) in enumerate(groups):
        x = LEVEL_W + i * COL_W
        _text(svg, x + 8, 18, code, font_size=12, font_weight="bold", fill="#111")
        for j, line in enumerate(_lines(title, WRAP + 2, 3)):
            _text(svg, x + 8, 34 + j * 13, line, font_size=10.5, fill="#444")
    for k, level in enumerate(levels):
        y0 = row_y[level]
        ET.SubElement(
            svg,
            f"{{{SVG_NS}}}rect",
            {
                "x": "0",
                "y": f"{y0:.0f}",
                "width": str(width),
                "height": f"{row_h[level]:.0f}",
                "fill": "#f4f6f9" if k % 2 == 0 else "#ffffff",
            },
        )
        _text(
            svg,
            10,
            y0 + row_h[level] / 2 + 6,
            level,
            font_size=18,
            font_weight="bold",
            fill="#1b2a41",
        )
    for i in range(len(groups) + 1):
        x = LEVEL_W + i * COL_W - 6
        ET.SubElement(
            svg,
            f"{{{SVG_NS}}}line",
            {"x1": f"{x}", "y1": "0", "x2": f"{x}", "y2": f"{y:.0f}", "stroke": "#d5dbe3"},
        )

    # Moves beneath the boxes (a line passing a box is hidden by it), nodes on top.
    arrows = ET.SubElement(svg, f"{{{SVG_NS}}}g", {"class": "moves", "fill": "none"})
    box: dict[tuple[str, str], tuple[float, float]] = {}
    nodes = ET.SubElement(svg, f"{{{SVG_NS}}}g", {"class": "nodes"})
    for (level, group), items in cells.items():
        for n, o in enumerate(items):
            x = LEVEL_W + column[group] * COL_W + 4
            y0 = row_y[level] + PAD + n * (NODE_H + GAP)
            box[(level, o.code)] = (x, y0)
            g = ET.SubElement(nodes, f"{{{SVG_NS}}}g", {"data-code": o.code, "data-level": level})
            ET.SubElement(g, f"{{{SVG_NS}}}title").text = f"{o.code} {o.title} ({level})"
            ET.SubElement(
                g,
                f"{{{SVG_NS}}}rect",
                {
                    "x": f"{x:.0f}",
                    "y": f"{y0:.0f}",
                    "width": str(NODE_W),
                    "height": str(NODE_H),
                    "rx": "6",
                    "fill": "#ffffff",
                    "stroke": "#5b6b80",
                },
            )
            _text(g, x + 8, y0 + 15, o.code, font_size=11, font_weight="bold", fill="#1b2a41")
            for j, line in enumerate(_lines(o.title, WRAP, 2)):
                _text(g, x + 8, y0 + 29 + j * 12, line, font_size=10.5, fill="#222")

    labels = ET.SubElement(svg, f"{{{SVG_NS}}}g", {"class": "experience"})
    for m in moves:
        if m.source not in box or m.target not in box:
            continue
        (sx, sy), (tx, ty) = box[m.source], box[m.target]
        vertical = m.kind == "vertical"
        colour = VERTICAL if vertical else HORIZONTAL
        if abs(sx - tx) < 1 and not vertical:
            # Same column, same level: around the right side, clear of the boxes between.
            x1 = x2 = sx + NODE_W
            y1, y2 = sy + NODE_H / 2, ty + NODE_H / 2
            d = f"M{x1:.0f},{y1:.0f} C{x1 + 22:.0f},{y1:.0f} {x2 + 22:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"
        elif vertical or abs(sy - ty) > 1:
            up = ty < sy
            x1, y1 = sx + NODE_W / 2, sy if up else sy + NODE_H
            x2, y2 = tx + NODE_W / 2, ty + NODE_H if up else ty
            bend = (y2 - y1) / 2
            d = f"M{x1:.0f},{y1:.0f} C{x1:.0f},{y1 + bend:.0f} {x2:.0f},{y2 - bend:.0f} {x2:.0f},{y2:.0f}"
        else:
            right = tx > sx
            x1, y1 = (sx + NODE_W if right else sx), sy + NODE_H / 2
            x2, y2 = (tx if right else tx + NODE_W), ty + NODE_H / 2
            d = f"M{x1:.0f},{y1:.0f} L{x2:.0f},{y2:.0f}"
        attrs = {
            "d": d,
            "stroke": colour,
            "stroke-width": "2",
            "marker-end": f"url(#arrow-{'v' if vertical else 'h'})",
            "data-from": m.source[1],
            "data-to": m.target[1],
        }
        if not vertical:
            attrs["stroke-dasharray"] = "6 4"
        ET.SubElement(arrows, f"{{{SVG_NS}}}path", attrs)
        if m.experience_years not in (None, ""):
            _text(
                labels,
                (x1 + x2) / 2 + 6,
                (y1 + y2) / 2 + 4,
                words["years"].format(n=m.experience_years),
                font_size=10.5,
                fill=colour,
                font_weight="bold",
            )

    # Legend.
    for i, (kind, colour, dash) in enumerate(
        (("vertical", VERTICAL, ""), ("horizontal", HORIZONTAL, "6 4"))
    ):
        x = 10 + i * 330
        line = {
            "x1": str(x),
            "y1": f"{legend_y:.0f}",
            "x2": str(x + 40),
            "y2": f"{legend_y:.0f}",
            "stroke": colour,
            "stroke-width": "2",
            "marker-end": f"url(#arrow-{kind[0]})",
        }
        if dash:
            line["stroke-dasharray"] = dash
        ET.SubElement(svg, f"{{{SVG_NS}}}line", line)
        _text(svg, x + 50, legend_y + 4, words[kind], font_size=11, fill="#333")
    # Registered again each time: importing WeasyPrint's PDF metadata registers its own
    # prefixes process-wide (xml.etree's one registry), which made ElementTree write
    # <ns0:svg> after a PDF had been rendered in the same process.
    ET.register_namespace("", SVG_NS)
    return ET.tostring(svg, encoding="unicode")


def move_list(occupations: list[Occupation], moves: list[Move]) -> list[dict[str, Any]]:
    """The text alternative: each move with both occupations' codes, titles and levels."""
    by_key = {(o.level, o.code): o for o in occupations}
    found = []
    for m in moves:
        source, target = by_key.get(m.source), by_key.get(m.target)
        if source is None or target is None:
            continue
        found.append(
            {"source": source, "target": target, "kind": m.kind, "years": m.experience_years}
        )
    return found
