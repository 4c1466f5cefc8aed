"""The clause-by-clause coverage page (docs/rules-coverage.md) is current and complete, and
its parser reads citations as documented."""

from __future__ import annotations

from sbsh.rules_coverage import CLAUSES, DEFAULT, citations, missing_clauses, page


def test_the_committed_coverage_page_is_generated_from_the_citations() -> None:
    assert DEFAULT.read_text(encoding="utf-8") == page(), (
        "docs/rules-coverage.md is out of date: run `python manage.py rules_coverage`"
    )


def test_every_clause_and_annex_item_has_code_and_tests() -> None:
    assert len(CLAUSES) == 16 + 12
    assert missing_clauses() == []


def test_citations_roll_sub_items_up_and_expand_ranges() -> None:
    assert citations("Rules §12.3 and Annex §10") == ["Rules §12", "Annex §10"]
    assert citations("(Rules §5–§6)") == ["Rules §5", "Rules §6"]
    assert citations("§5 alone, Rules§5, rules §5") == []
