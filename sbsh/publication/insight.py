"""Reads across the public registry (only `Publication`): where an occupation appears.

Rules §3.3 (recognition of qualifications) and §3.1 (training): a training provider or a
recognition centre asks which frameworks cover an occupation, at which level and where.
"""

from __future__ import annotations

import re
from typing import Any

from classifiers.models import Classifier, Node
from classifiers.services import current_edition
from sbsh.models import Publication, PublicationTerm

NKZ_CODE = re.compile(r"^\d{1,4}(-\d{1,2}(-\d{3})?)?$")


def _names(code: str) -> dict[str, str] | None:
    edition = current_edition(Classifier.NKZ)
    node = Node.objects.filter(edition=edition, code=code).first() if edition else None
    if node is None:
        node = (
            Node.objects.filter(edition__classifier=Classifier.NKZ, code=code)
            .order_by("-edition_id")
            .first()
        )
    if node is None:
        return None
    return {"kk": node.title_kk, "ru": node.title_ru, "en": node.title_en}


def _places(content: dict[str, Any], code: str) -> list[dict[str, Any]]:
    """Every row of the content that names the code or an occupation under it."""

    def hit(n: dict[str, Any]) -> bool:
        # NKZ codes nest by prefix (2 → 21 → 215 → 2151 → 2151-2 → 2151-2-006).
        other = n["code"]
        return (
            other == code
            or other.startswith(f"{code}-")
            or ("-" not in code and other.startswith(code))
        )

    found: list[dict[str, Any]] = []
    for n in content["passport"]["nkz_groups"]:
        if hit(n):
            found.append({"table": "passport", "row": None, "sqf_level": "", "node": n})
    for i, r in enumerate(content["table1"], start=1):
        for n in r["occupations"]:
            if hit(n):
                found.append(
                    {
                        "table": "table1",
                        "row": i,
                        "section": r["section"],
                        "sqf_level": r["sqf_level"],
                        "nqf_level": r["nqf_level"],
                        "node": n,
                    }
                )
    for i, e in enumerate(content["table2"]["entries"], start=1):
        if hit(e["occupation"]):
            found.append(
                {"table": "table2", "row": i, "sqf_level": e["sqf_level"], "node": e["occupation"]}
            )
    for i, r in enumerate(content["table3"], start=1):
        if hit(r["occupation"]):
            found.append(
                {
                    "table": "table3",
                    "row": i,
                    "sqf_level": r["sqf_level"],
                    "nqf_level": r["nqf_level"],
                    "node": r["occupation"],
                }
            )
    return found


def occupation_appearances(code: str) -> dict[str, Any] | None:
    """None when the code is not an NKZ code of any loaded edition."""
    code = code.strip()
    if not NKZ_CODE.match(code):
        return None
    names = _names(code)
    if names is None:
        return None
    publications = (
        Publication.objects.filter(
            superseded_at__isnull=True,
            terms__kind=PublicationTerm.Kind.NKZ,
            terms__value=code,
        )
        .select_related("state_body")
        .defer("search_text", "search_vector")
        .order_by("name_ru")
    )
    frameworks = []
    for p in publications:
        places = _places(p.content, code)
        if places:
            frameworks.append(
                {
                    "publication": p,
                    "places": places,
                    "levels": sorted({x["sqf_level"] for x in places if x["sqf_level"]}),
                }
            )
    return {"code": code, "name": names, "frameworks": frameworks}
