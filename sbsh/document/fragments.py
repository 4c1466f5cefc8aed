"""The rendered rows of Tables 1 and 3, cached under a digest of everything they show.

A page of a big table spent most of its time in the template engine (40–50 rows, each
with its bilingual cells, its classifier names and its edit controls) and in reading the
classifier nodes the rows name. A row's HTML is a function of the row's stored values,
the nodes it names, the interface language, whether the viewer may edit the version, and
the code that renders it; the cache key is a digest of all of these:

- every stored column of the row (not only its revision: a write that forgot to raise
  it, a migration, a script still changes the key), with the ids of the nodes it names
  (Table 1's occupations are a many-to-many, so their ids are read and added);
- the nodes' own data through `Edition.nodes_revision`, which every classifier service
  that changes a node in place raises (a new edition has new node ids anyway), so the
  nodes are read only for the rows that are not in the cache;
- the language, the version and its status, whether the viewer may edit (a fragment
  with edit controls can only be found by a viewer who may edit), the row's number on
  the page (Table 3), and a digest of the templates, code and catalogues that render it.

On PostgreSQL the Table 1 page reads its rows light (`selectors.table1_rows(light=True)`):
the database returns a SHA-256 of each whole stored row (`ROW(t.*)`, every column), the
occupation ids and the editions' stamp in the rows' one query, so the ten long texts are
neither sent nor hashed here; the rows not in the cache are then read whole and keyed
again from that read (a write between the two reads is rendered and stored under its own
key). Table 3 gets the stamp in its rows' query too. Elsewhere (SQLite) the key holds the
stored values themselves.

So nothing is ever invalidated: a change makes a new key, and the old entry ages out
(`TIMEOUT`; Redis or the in-process cache, settings.CACHES). The views set `row.html`;
the templates print it, or include the row template themselves where no view prepared it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any

import django
from django.conf import settings
from django.core.cache import caches
from django.db import models
from django.template.loader import get_template
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from classifiers.models import Edition
from sbsh.document import selectors
from sbsh.models import Table1Row, Table3Row, Version

CACHE_ALIAS = "fragments"
TIMEOUT = 7 * 24 * 3600
T1_TEMPLATE = "sbsh/_table1_row.html"
T3_TEMPLATE = "sbsh/_table3_row.html"

_APP = Path(__file__).resolve().parent.parent
# What turns a row's values into its HTML besides the values: a change to any of these
# in a new release must not find the fragments the old code rendered (Redis outlives it).
_RENDERING_CODE = (
    "templatetags/sqf.py",
    "models.py",
    "document/models.py",
    "document/selectors.py",
    "document/fragments.py",
    # The cells' soft hyphens come from the document's syllable rule (sqf tag `cell`).
    "document/hyphen.py",
)


@cache
def code_digest() -> str:
    """A digest of the row templates, the Python that feeds them and the compiled
    translations, computed once per process."""
    digest = hashlib.sha256(django.get_version().encode())
    for name in (T1_TEMPLATE, T3_TEMPLATE):
        digest.update(get_template(name).template.source.encode())
    for relative in _RENDERING_CODE:
        digest.update((_APP / relative).read_bytes())
    for folder in settings.LOCALE_PATHS:
        for mo in sorted(Path(folder).glob("*/LC_MESSAGES/django.mo")):
            digest.update(mo.read_bytes())
    return digest.hexdigest()[:16]


def stored_values(obj: models.Model) -> tuple[Any, ...]:
    """Every column of the row as stored (a field added later is covered too)."""
    return tuple(getattr(obj, f.attname) for f in obj._meta.concrete_fields)


def editions_stamp(rows: list[Any] | None = None) -> Any:
    """Each classifier edition's `nodes_revision`, in one query: a row's key holds the ids
    of the nodes it names and this, so a name or skill level changed in place (the
    classifier services raise the revision) renders the rows that show it afresh.
    Rows read with the stamp as a column (PostgreSQL: `selectors`' `_editions_stamp`)
    bring it, and no query is needed."""
    stamp = getattr(rows[0], "editions_stamp", None) if rows else None
    if stamp is not None:
        return ("in-query", stamp)
    return tuple(Edition.objects.order_by("pk").values_list("pk", "nodes_revision"))


def _keys(kind: str, common: tuple[Any, ...], rows: list[tuple[Any, ...]]) -> list[str]:
    """A key per row: a digest of what every row on the page shares, then of the row's own."""
    shared = hashlib.sha256(repr((code_digest(), get_language(), *common)).encode())
    keys = []
    for own in rows:
        digest = shared.copy()
        digest.update(repr(own).encode())
        keys.append(f"sqf-row:{kind}:{digest.hexdigest()}")
    return keys


def _attach(
    template_name: str,
    rows: list[Any],
    keys_of: Callable[[list[Any]], list[str]],
    contexts: list[dict[str, Any]],
    read_nodes: Callable[[list[Any]], None],
) -> None:
    """Set `row.html` for each row: from the cache in one round trip; the rows it does
    not hold are read whole where they were read light, get their classifier nodes
    (`read_nodes`) and are rendered and stored under the key of what was rendered."""
    if not rows:
        return
    store = caches[CACHE_ALIAS]
    keys = keys_of(rows)
    found = store.get_many(keys)
    missing = [i for i, key in enumerate(keys) if key not in found]
    if missing:
        read_nodes([rows[i] for i in missing])
        template = get_template(template_name)
        # A light row deleted since it was read has nothing to show.
        gone = {i for i in missing if getattr(rows[i], "get_deferred_fields", set)()}
        rendered = [i for i in missing if i not in gone]
        # Keyed again: a row read whole just now may have changed since the light read.
        fresh = dict(
            zip(
                keys_of([rows[i] for i in rendered]),
                # SafeStrings, and stored as such: a value that came back as a plain str
                # would be escaped on the page (a visible fault), never printed as HTML.
                (template.render(contexts[i]) for i in rendered),
                strict=True,
            )
        )
        store.set_many(fresh, timeout=TIMEOUT)
        for i, html in zip(rendered, fresh.values(), strict=True):
            found[keys[i]] = html
        for i in gone:
            found[keys[i]] = SafeString("")
    for row, key in zip(rows, keys, strict=True):
        row.html = found[key]


def _t1_own(row: Table1Row) -> tuple[Any, ...]:
    """A light row (selectors.table1_rows(light=True)) brings the database's digest of
    all its columns; a row read whole, its columns themselves."""
    digest = getattr(row, "stored_digest", None)
    stored = ("digest", row.pk, digest) if digest else stored_values(row)
    return (stored, row.occupation_ids)


def attach_table1(rows: Iterable[Table1Row], *, version: Version, can_edit: bool) -> None:
    """Rows as `selectors.table1_rows` reads them (with `occupation_ids`, light or whole;
    light rows not in the cache are read whole here, and their `occupation_list` if not
    read yet)."""
    rows = list(rows)
    t1_base = reverse("sbsh:table1", args=[version.pk])
    context = {"version": version, "can_edit": can_edit, "t1_base": t1_base}
    common = (version.pk, version.status, can_edit, editions_stamp(rows) if rows else None)

    def read(missing: list[Table1Row]) -> None:
        selectors.table1_fill(missing)
        selectors.table1_attach_nodes(
            [
                r
                for r in missing
                if not hasattr(r, "occupation_list") and not r.get_deferred_fields()
            ]
        )

    _attach(
        T1_TEMPLATE,
        rows,
        lambda some: _keys("t1", common, [_t1_own(row) for row in some]),
        [{**context, "row": row} for row in rows],
        read,
    )


def attach_table3(
    rows: Iterable[Table3Row], *, version: Version, can_edit: bool, first_number: int
) -> None:
    """Rows as `selectors.table3_rows` reads them (their nodes are read here if needed and
    not read yet), numbered from `first_number` as on the page."""
    rows = list(rows)
    numbers = range(first_number, first_number + len(rows))
    context = {"version": version, "can_edit": can_edit}
    common = (version.pk, version.status, can_edit, editions_stamp(rows) if rows else None)
    number_of = {id(row): n for n, row in zip(numbers, rows, strict=True)}
    _attach(
        T3_TEMPLATE,
        rows,
        lambda some: _keys("t3", common, [(number_of[id(r)], stored_values(r)) for r in some]),
        [{**context, "row": row, "number": n} for n, row in zip(numbers, rows, strict=True)],
        lambda missing: selectors.table3_attach_nodes(
            [r for r in missing if not hasattr(r, "oked_chain")]
        ),
    )
