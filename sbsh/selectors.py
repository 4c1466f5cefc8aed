"""Reads for SQFs: lists, editor pages and the compliance snapshot, each in a fixed
number of queries whatever the number of rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import get_language

from classifiers.codes import derived_skill_level
from classifiers.models import Edition, Node
from councils import access
from councils.models import User
from sbsh import compliance
from sbsh.models import (
    Framework,
    Part,
    ProfessionalStandard,
    ProgressionLink,
    Table1Row,
    Table2Entry,
    Table3Row,
    Version,
)

NODE = Node.objects.select_related("edition", "parent")


@dataclass(frozen=True)
class NodeLite:
    """What pages and the compliance check need of a classifier node: read with
    `.values()`, so a table of hundreds of rows builds no model instances for it."""

    pk: int
    code: str
    level: int
    classifier: str
    edition_id: int
    parent_id: int | None
    parent_code: str
    title_kk: str
    title_ru: str
    title_en: str
    skill_level: int | None

    @property
    def title(self) -> str:
        language = (get_language() or "kk")[:2]
        order = {"ru": ("ru", "kk", "en"), "en": ("en", "ru", "kk")}.get(
            language, ("kk", "ru", "en")
        )
        return next(
            (getattr(self, f"title_{lang}") for lang in order if getattr(self, f"title_{lang}")), ""
        )


_LITE_FIELDS = (
    "id",
    "code",
    "level",
    "edition_id",
    "edition__classifier",
    "parent_id",
    "parent__code",
    "title_kk",
    "title_ru",
    "title_en",
    "skill_level",
)


# With `ancestors`, each query also reads the ids three levels above the parent, so that
# the whole chain of an OKED subclass (five levels) takes two queries, not five.
_ANCESTOR_IDS = (
    "parent__parent_id",
    "parent__parent__parent_id",
    "parent__parent__parent__parent_id",
)


def node_index(ids: set[int], *, ancestors: bool = False) -> dict[int, NodeLite]:
    """Nodes by id in one query (and, when `ancestors` is asked, all the nodes above them:
    one more query per four levels)."""
    index: dict[int, NodeLite] = {}
    wanted = {i for i in ids if i}
    fields = _LITE_FIELDS + (_ANCESTOR_IDS if ancestors else ())
    while wanted:
        above: set[int] = set()
        for row in Node.objects.filter(pk__in=wanted).order_by().values_list(*fields):
            above.update(row[5:6] + row[len(_LITE_FIELDS) :])
            index[row[0]] = NodeLite(
                row[0],
                row[1],
                row[2],
                row[4],
                row[3],
                row[5],
                row[6] or "",
                row[7],
                row[8],
                row[9],
                row[10],
            )
        wanted = {i for i in above if i and i not in index} if ancestors else set()
    return index


def chain(index: dict[int, NodeLite], node: NodeLite) -> list[NodeLite]:
    """The node and its ancestors, top first (e.g. OKED section → subclass)."""
    out = [node]
    while out[-1].parent_id and out[-1].parent_id in index:
        out.append(index[out[-1].parent_id])
    return list(reversed(out))


def frameworks_for(user: User) -> QuerySet[Framework]:
    return (
        access.frameworks_for_user(user)
        .prefetch_related(Prefetch("versions", queryset=Version.objects.order_by("-number")))
        .order_by("sector_ru")
    )


def parts(version: Version) -> dict[str, Part]:
    return {p.key: p for p in version.parts.all()}


def _m2m(through: type, owner: str, owner_ids: list[int]) -> dict[int, list[int]]:
    links: dict[int, list[int]] = {}
    for owner_id, node_id in through.objects.filter(**{f"{owner}__in": owner_ids}).values_list(
        owner, "node_id"
    ):
        links.setdefault(owner_id, []).append(node_id)
    return links


def table1_rows(
    version: Version,
    *,
    pk: int | None = None,
    section: int | None = None,
    nodes: bool = True,
    light: bool = False,
) -> list[Table1Row]:
    """Rows (or the one row `pk`, or one process section's) with `occupation_ids` and
    (unless `nodes` is False: see `table1_attach_nodes`) `occupation_list` (NodeLite, by
    code) attached.

    `light` (PostgreSQL; elsewhere it reads the whole rows as usual) reads no text: only
    what places a row on the page (section, order, level), its `stored_digest` (a digest
    of the whole stored row, computed by the database) and its occupations' ids, for the
    cached fragments (`sbsh.fragments`). `table1_fill` reads the rest of the rows that
    must be rendered; nothing else may touch their texts (each would cost a query)."""
    only: dict[str, int] = {"pk": pk} if pk else {}
    if section:
        only["section"] = section
    qs = version.table1_rows.order_by("section", "order", "id").filter(**only)
    if light and connection.vendor == "postgresql":
        rows = list(
            qs.only(*T1_PLACE).annotate(**_t1_digest_columns(), editions_stamp=_editions_stamp())
        )
        for row in rows:
            row.occupation_ids = tuple(row.occupation_array)
        return rows
    rows = list(qs)
    links = _m2m(Table1Row.occupations.through, "table1row_id", [r.pk for r in rows])
    for row in rows:
        row.occupation_ids = tuple(sorted(links.get(row.pk, [])))
    if nodes:
        table1_attach_nodes(rows)
    return rows


# What a light Table 1 row holds besides its digest (the views group, page and filter by
# level on these).
T1_PLACE = ("id", "version_id", "section", "order", "sqf_level")


def _t1_digest_columns() -> dict[str, RawSQL]:
    """PostgreSQL: the SHA-256 of the row's text form, `ROW(t.*)`, which has every column
    of the table (a column added later too; NULL and '' differ), and the ids of its
    occupations, ordered: what the fragment key needs, without reading the texts.
    The SQL holds only our own table names, quoted; no value from outside."""
    table = connection.ops.quote_name(Table1Row._meta.db_table)
    through = connection.ops.quote_name(Table1Row.occupations.through._meta.db_table)
    digest = f"encode(sha256(convert_to(CAST(ROW({table}.*) AS text), 'UTF8')), 'hex')"
    occupations = (
        f"ARRAY(SELECT o.node_id FROM {through} o "  # noqa: S608  # nosec B608
        f"WHERE o.table1row_id = {table}.id ORDER BY o.node_id)"
    )
    return {
        "stored_digest": RawSQL(digest, ()),  # noqa: S611  # nosec B611
        "occupation_array": RawSQL(occupations, ()),  # noqa: S611  # nosec B611
    }


def _editions_stamp() -> RawSQL:
    """PostgreSQL: every classifier edition's `nodes_revision` as a column of the rows'
    query (an uncorrelated subquery: computed once), instead of a query of its own
    (`sbsh.fragments.editions_stamp`). Our own table name only."""
    table = connection.ops.quote_name(Edition._meta.db_table)
    stamp = (
        f"(SELECT string_agg(e.id || ':' || e.nodes_revision, ',' ORDER BY e.id) FROM {table} e)"  # noqa: S608  # nosec B608
    )
    return RawSQL(stamp, ())  # noqa: S611  # nosec B611


def table1_fill(rows: list[Table1Row]) -> None:
    """Read the whole of the light rows among `rows` (one query), with a fresh digest: a
    row changed since the light read is rendered, and keyed, as it is now."""
    light = {r.pk: r for r in rows if hasattr(r, "stored_digest")}
    if not light:
        return
    fresh = Table1Row.objects.filter(pk__in=light).annotate(**_t1_digest_columns())
    names = [f.attname for f in Table1Row._meta.concrete_fields]
    for full in fresh:
        row = light[full.pk]
        for name in names:
            setattr(row, name, getattr(full, name))
        row.stored_digest = full.stored_digest
        row.occupation_ids = tuple(full.occupation_array)


def table1_attach_nodes(rows: list[Table1Row]) -> None:
    """`occupation_list` for rows read with `nodes=False`, in one query."""
    index = node_index({n for row in rows for n in row.occupation_ids})
    for row in rows:
        row.occupation_list = sorted(
            (index[i] for i in row.occupation_ids if i in index), key=lambda n: n.code
        )


def table1_by_section(
    version: Version, *, section: int | None = None, rows: list[Table1Row] | None = None
) -> list[tuple[int, str, list[Table1Row]]]:
    """The process sections (or the one `section`) with their rows."""
    if rows is None:
        rows = table1_rows(version, section=section)
    return [
        (value, label, [r for r in rows if r.section == value])
        for value, label in Table1Row.Section.choices
        if section is None or value == section
    ]


def table2(version: Version) -> tuple[list[Table2Entry], list[ProgressionLink]]:
    entries = list(
        version.table2_entries.select_related(
            "group__parent", "group__edition", "occupation__edition", "occupation__parent"
        )
    )
    links = list(
        version.progression_links.select_related("source__occupation", "target__occupation")
    )
    return entries, links


T3_NODES = ("isco", "nkz_unit", "nkz_group", "oked", "occupation")


def table3_rows(
    version: Version,
    *,
    pk: int | None = None,
    window: tuple[int, int] | None = None,
    nodes: bool = True,
    stamped: bool = False,
) -> list[Table3Row]:
    """Rows (or the one row `pk`, or rows [start, end) in order) with NodeLite attached as
    `<column>_n` and the OKED chain as `oked_chain` (unless `nodes` is False: see
    `table3_attach_nodes`); `stamped` (PostgreSQL) adds the classifier editions' stamp
    that the cached fragments' keys need to each row, in the same query."""
    qs = version.table3_rows.order_by("order", "id").filter(**({"pk": pk} if pk else {}))
    if stamped and connection.vendor == "postgresql":
        qs = qs.annotate(editions_stamp=_editions_stamp())
    rows = list(qs[window[0] : window[1]] if window else qs)
    if nodes:
        table3_attach_nodes(rows)
    return rows


def table3_attach_nodes(rows: list[Table3Row]) -> None:
    """The classifier nodes of rows read with `nodes=False`, in two queries."""
    index = node_index({getattr(r, f"{c}_id") for r in rows for c in T3_NODES}, ancestors=True)
    for row in rows:
        for column in T3_NODES:
            setattr(row, f"{column}_n", index[getattr(row, f"{column}_id")])
        row.oked_chain = chain(index, row.oked_n)


def standards(version: Version) -> list[ProfessionalStandard]:
    return list(version.standards.prefetch_related(Prefetch("nkz_nodes", queryset=NODE)))


def passport_nodes(version: Version) -> tuple[list[Node], list[Node]]:
    return list(version.oked_nodes.select_related("edition", "parent").order_by("code")), list(
        version.nkz_groups.select_related("edition", "parent").order_by("code")
    )


# --- snapshot for the compliance check -------------------------------------------------------------


def _ref(node: NodeLite) -> compliance.NodeRef:
    return compliance.NodeRef(
        id=node.pk,
        code=node.code,
        level=node.level,
        classifier=node.classifier,
        edition_id=node.edition_id,
        title=node.title,
        parent_code=node.parent_code,
        skill_level=node.skill_level,
        derived_skill_level=derived_skill_level(node.classifier, node.code)
        if node.classifier != "oked"
        else None,
    )


def version_snapshot(version: Version) -> compliance.Snapshot:
    """Everything the compliance check reads, in about a dozen queries of plain values."""
    part_rows = list(version.parts.values_list("key", "text_kk", "text_ru", "stale_language"))
    t1 = table1_rows(version)
    stds = list(version.standards.values_list("id", "name_kk", "name_ru", "stale_language"))
    std_links = _m2m(
        ProfessionalStandard.nkz_nodes.through, "professionalstandard_id", [s[0] for s in stds]
    )
    entries = list(
        version.table2_entries.values_list("id", "sqf_level", "group_id", "occupation_id")
    )
    links = list(version.progression_links.values_list("source_id", "target_id", "kind"))
    t3 = list(
        version.table3_rows.order_by("order", "id").values_list(
            "id",
            "isco_id",
            "nkz_unit_id",
            "nkz_group_id",
            "oked_id",
            "occupation_id",
            "nqf_level",
            "sqf_level",
            "isco_correspondence",
        )
    )
    oked_ids = list(
        Version.oked_nodes.through.objects.filter(version_id=version.pk).values_list(
            "node_id", flat=True
        )
    )
    nkz_ids = list(
        Version.nkz_groups.through.objects.filter(version_id=version.pk).values_list(
            "node_id", flat=True
        )
    )
    ids = {
        *oked_ids,
        *nkz_ids,
        *(n for ns in std_links.values() for n in ns),
        *(n for e in entries for n in e[2:4]),
        *(n for r in t3 for n in r[1:6]),
        *(n.pk for r in t1 for n in r.occupation_list),
    }
    index = node_index(ids, ancestors=True)
    refs = {i: _ref(n) for i, n in index.items()}
    stale = [(key, None, lang) for key, _kk, _ru, lang in part_rows if lang]
    stale += [("table1", r.pk, r.stale_language) for r in t1 if r.stale_language]
    stale += [("standards", sid, lang) for sid, _kk, _ru, lang in stds if lang]
    from sbsh.policy import switched_off

    return compliance.Snapshot(
        policies_off=switched_off(),
        names={"kk": version.name_kk, "ru": version.name_ru},
        parts={key: {"kk": kk, "ru": ru} for key, kk, ru, _lang in part_rows},
        stale=stale,
        oked_nodes=[refs[i] for i in oked_ids],
        nkz_groups=[refs[i] for i in nkz_ids],
        standards=[
            compliance.Standard(
                sid, {"kk": kk, "ru": ru}, [refs[i] for i in std_links.get(sid, [])]
            )
            for sid, kk, ru, _lang in stds
        ],
        table1=[
            compliance.T1Row(
                id=r.pk,
                section=r.section,
                sqf_level=r.sqf_level,
                nqf_level=r.nqf_level,
                occupations=[refs[n.pk] for n in r.occupation_list],
                texts={
                    c: {"kk": getattr(r, f"{c}_kk"), "ru": getattr(r, f"{c}_ru")}
                    for c in Table1Row.TEXT_COLUMNS
                },
            )
            for r in t1
        ],
        table2=[
            compliance.T2Entry(eid, level, refs[group], refs[occ])
            for eid, level, group, occ in entries
        ],
        links=[compliance.T2Link(a, b, kind) for a, b, kind in links],
        table3=[
            compliance.T3Row(
                id=rid,
                number=i,
                isco=refs[isco],
                nkz_unit=refs[unit],
                nkz_group=refs[group],
                oked=refs[oked],
                occupation=refs[occ],
                nqf_level=nqf,
                sqf_level=sqf,
                isco_correspondence=corr,
                oked_ancestors=tuple(n.code for n in chain(index, index[oked])[:-1]),
            )
            for i, (rid, isco, unit, group, oked, occ, nqf, sqf, corr) in enumerate(t3, start=1)
        ],
        current_editions=dict(
            Edition.objects.filter(is_current=True).values_list("classifier", "pk")
        ),
        isco_names_missing={
            index[r[1]].code: tuple(
                lang for lang in ("kk", "ru") if not getattr(index[r[1]], f"title_{lang}")
            )
            for r in t3
        },
        tables_landscape=version.tables_landscape,
    )


@dataclass(frozen=True)
class Completeness:
    kk: bool
    ru: bool
    stale: str


def part_completeness(part: Part) -> Completeness:
    return Completeness(
        compliance._filled(part.text_kk), compliance._filled(part.text_ru), part.stale_language
    )


def findings(version: Version) -> list[compliance.Finding]:
    return compliance.check(version_snapshot(version))


@dataclass(frozen=True)
class ChecklistItem:
    clause: str
    label: Any
    done: bool
    url_name: str  # the editor page where it is done
    part: str = ""  # for sbsh:part, the part's key


def preparation_checklist(version: Version) -> list[ChecklistItem]:
    """Rules §8: the six results of the preparatory work, read from the document itself."""
    from django.utils.translation import gettext_lazy as _

    texts = {
        key: compliance._filled(kk) and compliance._filled(ru)
        for key, kk, ru in version.parts.filter(
            key__in=[Part.Key.ANALYSIS, Part.Key.CURRENT_STATE, Part.Key.OCCUPATIONS]
        ).values_list("key", "text_kk", "text_ru")
    }
    t1 = list(
        version.table1_rows.values_list(
            "knowledge_kk",
            "knowledge_ru",
            "skills_kk",
            "skills_ru",
            "competences_kk",
            "competences_ru",
        )
    )
    # Rules §8.4 "жұмыс тәжірибесін ескере отырып": every vertical move says how much
    # work experience it takes.
    counts = version.progression_links.filter(kind="vertical").aggregate(
        vertical=Count("id"), without=Count("id", filter=Q(experience_years__isnull=True))
    )
    vertical, vertical_without_experience = counts["vertical"], counts["without"]
    return [
        ChecklistItem(
            "Rules §8.1",
            _("sector analysis: current state, problems, trends (Annex §4–§5)"),
            texts.get(Part.Key.ANALYSIS, False) and texts.get(Part.Key.CURRENT_STATE, False),
            "sbsh:part",
            Part.Key.ANALYSIS,
        ),
        ChecklistItem(
            "Rules §8.2",
            _("sector boundaries by OKED"),
            version.oked_nodes.exists(),
            "sbsh:passport",
        ),
        ChecklistItem(
            "Rules §8.3",
            _("professional groups and occupations by NKZ"),
            version.nkz_groups.exists() and texts.get(Part.Key.OCCUPATIONS, False),
            "sbsh:passport",
        ),
        ChecklistItem(
            "Rules §8.4",
            _(
                "continuity of qualification trajectories, taking work experience into account (Table 2: vertical moves, each with the years of experience it takes)"
            ),
            vertical > 0 and vertical_without_experience == 0,
            "sbsh:table2",
        ),
        ChecklistItem(
            "Rules §8.5",
            _("qualification descriptors (Table 1: knowledge, abilities, competences)"),
            bool(t1) and all(compliance._filled(cell) for row in t1 for cell in row),
            "sbsh:table1",
        ),
        ChecklistItem(
            "Rules §8.6",
            _("professional qualification map (Table 3)"),
            version.table3_rows.exists(),
            "sbsh:table3",
        ),
    ]


# --- filters of the table editors (Tables 1–3, the SQF list) -----------------------------------


def _words(query: str) -> list[str]:
    return [w for w in query.casefold().split() if w]


def _level_key(level: str) -> list[int]:
    return [int(p) for p in level.split(".") if p.isascii() and p.isdigit()]


def table1_filter(rows: list[Table1Row], *, query: str = "", level: str = "") -> list[Table1Row]:
    """Rows whose code, occupation name or text (either language) holds every word of
    `query`, at SQF level `level` (a whole level takes its sub-levels too)."""
    words = _words(query)
    out = []
    for row in rows:
        if level and row.sqf_level != level and row.sqf_level.split(".")[0] != level:
            continue
        if words:
            haystack = " ".join(
                [
                    row.sqf_level,
                    *(getattr(row, f) or "" for f in Table1Row.TEXT_FIELDS),
                    *(
                        f"{n.code} {n.title_kk} {n.title_ru} {n.title_en}"
                        for n in row.occupation_list
                    ),
                ]
            ).casefold()
            if not all(w in haystack for w in words):
                continue
        out.append(row)
    return out


def table3_filter(rows: list[Table3Row], *, query: str = "", level: str = "") -> list[Table3Row]:
    words = _words(query)
    out = []
    for row in rows:
        if level and row.sqf_level != level and row.sqf_level.split(".")[0] != level:
            continue
        if words:
            haystack = " ".join(
                f"{n.code} {n.title_kk} {n.title_ru} {n.title_en}"
                for n in (
                    row.isco_n,
                    row.nkz_unit_n,
                    row.nkz_group_n,
                    row.occupation_n,
                    *row.oked_chain,
                )
            ).casefold()
            if not all(w in haystack for w in words):
                continue
        out.append(row)
    return out


def levels_in(levels: list[str]) -> list[str]:
    """The SQF levels present, in order (for the level filter)."""
    return sorted({lv for lv in levels if lv}, key=_level_key)


def _level_counts(rows: QuerySet[Any], *by: str) -> list[tuple[Any, ...]]:
    """(*by, sqf_level, number of rows) in one query, without the default ordering (which
    would join the version and the SQF and split the groups)."""
    return list(rows.order_by().values_list(*by, "sqf_level").annotate(n=Count("id")).order_by())


def table1_summary(version: Version) -> tuple[dict[int, int], list[str]]:
    """Rows per process section, and the SQF levels present (for the level filter)."""
    counts = _level_counts(version.table1_rows.all(), "section")
    sections: dict[int, int] = {}
    for section, _level, n in counts:
        sections[section] = sections.get(section, 0) + n
    return sections, levels_in([level for _section, level, _n in counts])


def table3_summary(version: Version) -> tuple[int, list[str]]:
    """The number of rows, and the SQF levels present (for the level filter)."""
    counts = _level_counts(version.table3_rows.all())
    return sum(n for _level, n in counts), levels_in([level for level, _n in counts])


def frameworks_filter(frameworks: list[Framework], *, query: str = "") -> list[Framework]:
    """SQFs whose sector, state body, council or version name (kk or ru) holds every word."""
    words = _words(query)
    if not words:
        return frameworks
    out = []
    for f in frameworks:
        haystack = " ".join(
            [
                f.sector_kk,
                f.sector_ru,
                f.state_body.name_kk,
                f.state_body.name_ru,
                f.state_body.short_name,
                f.council.name_kk,
                f.council.name_ru,
                f.council.short_name,
                *(f"{v.name_kk} {v.name_ru}" for v in f.versions.all()),
            ]
        ).casefold()
        if all(w in haystack for w in words):
            out.append(f)
    return out
