"""National coverage of the economy and the occupations by published SQFs (Rules §5.2:
state bodies analyse which of their sectors have no SQF or are not fully covered).

Reads only the public registry: the OKED and NKZ terms of the current publications
(each cited code with the codes above it, frozen at publication) against the current
editions of OKED and NKZ. A few queries whatever the number of SQFs.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from classifiers.models import Classifier, Node
from classifiers.services import current_edition
from councils.models import localized
from sbsh.models import Framework, Publication, PublicationTerm

CLASS_LEVEL = 4  # OKED class (e.g. 35.11): the grain of the §5.2 pre-fill


@dataclass
class OkedRow:
    code: str
    title: str
    level: int
    publications: list[Publication] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.publications)

    @property
    def heat(self) -> int:
        return min(self.count, 3)

    @property
    def state_bodies(self) -> list[str]:
        return sorted({p.state_body.name for p in self.publications})


@dataclass
class NkzRow:
    code: str
    title: str
    level: int
    units: int = 0
    units_covered: int = 0
    occupations: int = 0
    occupations_covered: int = 0

    @property
    def share(self) -> int:
        """Per cent of the unit groups covered."""
        return round(100 * self.units_covered / self.units) if self.units else 0

    @property
    def heat(self) -> int:
        if not self.units_covered:
            return 0
        return 1 if self.share < 10 else 2 if self.share < 30 else 3


def _current_terms(
    state_body_id: int | None = None,
) -> tuple[list[Publication], dict[str, set[int]]]:
    publications = list(
        Publication.objects.filter(superseded_at__isnull=True)
        .select_related("state_body")
        .defer("content", "search_text", "search_vector")
        .order_by("name_ru")
    )
    if state_body_id is not None:
        publications = [p for p in publications if p.state_body_id == state_body_id]
    ids = {p.pk for p in publications}
    by_term: dict[str, set[int]] = defaultdict(set)
    for pid, kind, value in PublicationTerm.objects.filter(
        publication_id__in=ids, kind__in=[PublicationTerm.Kind.OKED, PublicationTerm.Kind.NKZ]
    ).values_list("publication_id", "kind", "value"):
        by_term[f"{kind}:{value}"].add(pid)
    return publications, by_term


def oked_coverage(state_body_id: int | None = None) -> list[OkedRow]:
    """Each OKED section followed by its divisions, with the current SQFs covering each
    (of one state body, with `state_body_id`)."""
    edition = current_edition(Classifier.OKED)
    if edition is None:
        return []
    publications, by_term = _current_terms(state_body_id)
    by_id = {p.pk: p for p in publications}
    rows = []
    nodes = Node.objects.filter(edition=edition, level__in=[1, 2]).select_related("parent")
    children: dict[str, list[Node]] = defaultdict(list)
    sections = []
    for n in nodes.order_by("code"):
        if n.level == 1:
            sections.append(n)
        elif n.parent_id:
            children[n.parent.code].append(n)
    for s in sections:
        for n in [s, *children[s.code]]:
            found = sorted(
                (by_id[i] for i in by_term.get(f"oked:{n.code}", ())), key=lambda p: p.name_ru
            )
            rows.append(OkedRow(code=n.code, title=n.title, level=n.level, publications=found))
    return rows


def nkz_coverage() -> list[NkzRow]:
    """Each NKZ major group followed by its sub-major groups, with how many unit groups and
    occupations the current SQFs cover (NKZ codes nest by prefix: 2 → 21 → 2151 → 2151-2-006)."""
    edition = current_edition(Classifier.NKZ)
    if edition is None:
        return []
    _publications, by_term = _current_terms()
    covered = {k.split(":", 1)[1] for k in by_term if k.startswith("nkz:")}
    groups = {
        code: NkzRow(code=code, title=localized_title(t_kk, t_ru, t_en), level=level)
        for code, level, t_kk, t_ru, t_en in Node.objects.filter(
            edition=edition, level__in=[1, 2]
        ).values_list("code", "level", "title_kk", "title_ru", "title_en")
    }
    for code, level in Node.objects.filter(edition=edition, level__in=[4, 6]).values_list(
        "code", "level"
    ):
        for prefix in (code[:1], code[:2]):
            row = groups.get(prefix)
            if row is None:
                continue
            if level == 4:
                row.units += 1
                row.units_covered += code in covered
            else:
                row.occupations += 1
                row.occupations_covered += code in covered
    return [groups[c] for c in sorted(groups, key=lambda c: (c[:1], len(c), c))]


def localized_title(kk: str, ru: str, en: str) -> str:
    holder = type("T", (), {"title_kk": kk, "title_ru": ru, "title_en": en})()
    return localized(holder, "title") or ru


def coverage_summary() -> dict[str, Any]:
    oked = oked_coverage()
    nkz = nkz_coverage()
    divisions = [r for r in oked if r.level == 2]
    return {
        "oked": oked,
        "nkz": nkz,
        "divisions": len(divisions),
        "divisions_covered": sum(1 for r in divisions if r.count),
        "publications": len(_current_terms()[0]),
    }


def scoped_divisions(state_body_id: int) -> set[str]:
    """The OKED divisions the state body's SQFs are scoped to: the sectors it leads."""
    scoped = Node.objects.filter(
        pk__in=Framework.oked_scope.through.objects.filter(
            framework__state_body_id=state_body_id
        ).values("node_id")
    ).values_list("code", flat=True)
    return {code[:2] for code in scoped if code[:2].isdigit()}


def own_coverage(state_body_id: int) -> list[OkedRow]:
    """The national view narrowed to the state body: its divisions (with their sections)
    and the SQFs of its own covering them."""
    divisions = scoped_divisions(state_body_id)
    rows = oked_coverage(state_body_id)
    keep: list[OkedRow] = []
    section: OkedRow | None = None
    for r in rows:
        if r.level == 1:
            section = r
        elif r.code in divisions:
            if section is not None and all(k is not section for k in keep):
                keep.append(section)
            keep.append(r)
    return keep


def uncovered_classes(state_body_id: int) -> list[Node]:
    """Rules §5.2 pre-fill: the OKED classes in the divisions the state body's SQFs are
    scoped to (the sectors it leads) that none of its current published SQFs covers."""
    edition = current_edition(Classifier.OKED)
    if edition is None:
        return []
    divisions = scoped_divisions(state_body_id)
    _publications, by_term = _current_terms(state_body_id)
    covered = {k.split(":", 1)[1] for k in by_term if k.startswith("oked:")}
    classes = Node.objects.filter(edition=edition, level=CLASS_LEVEL).order_by("code")
    return [n for n in classes if n.code[:2] in divisions and n.code not in covered]


# --- writing: the §5.2 gap analysis pre-filled -----------------------------------------------


def gap_analysis_prefill(*, actor: Any, council: Any, year: int, codes: list[str]) -> Any:
    """Rules §5.2: a draft gap analysis of the state body with one finding per OKED class the
    ministry confirmed (each "no SQF"); all or nothing. Refused (PermissionError) unless the
    actor is ministry staff of the council's state body; a code outside the uncovered list
    is refused (ValidationError) and nothing is written."""
    from django.core.exceptions import ValidationError
    from django.db import transaction
    from django.utils.translation import gettext as _

    from sbsh.models import GapFinding, Ground
    from sbsh.workflow import grounds

    allowed = {n.code: n for n in uncovered_classes(council.state_body_id)}
    unknown = [c for c in codes if c not in allowed]
    if unknown:
        raise ValidationError(
            {
                "codes": _("These codes are not uncovered classes of your sectors: %(codes)s.")
                % {"codes": ", ".join(unknown)}
            }
        )
    if not codes:
        raise ValidationError(
            {"codes": _("Keep at least one OKED class for the analysis (Rules §5.2).")}
        )
    with transaction.atomic():
        ground = grounds.ground_create(
            actor=actor,
            kind=Ground.Kind.ANALYSIS,
            council=council,
            year=year,
            justification=_(
                "Pre-filled from the national coverage of the SQF registry: OKED classes of the "
                "state body's sectors that no published SQF of it covers (Rules §5.2)."
            ),
        )
        for code in codes:
            grounds.gap_add(
                actor=actor,
                ground=ground,
                oked=allowed[code],
                coverage=GapFinding.Coverage.NONE,
                note="",
            )
    return ground
