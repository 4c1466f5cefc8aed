"""Local policy: product rules of this workbench that the Rules do not state.

A clause-by-clause reading of Order No. 384 found these checks reasonable but not written
in the Rules. Each is listed here with its reason; messages and the checklist mark them
*policy*, not *Rules §N*; an administrator may switch off each one whose absence loses no
data (Administration → Local policy switches; every change is audited). The compliance
check (pure) receives the keys switched off in its snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Policy:
    key: str
    label: Promise
    reason: Promise
    # The Rules' clause it is closest to (what it interprets), for the coverage page.
    near: str
    # Where the code enforces it.
    where: str
    # False when switching it off could lose or corrupt data: it stays on.
    switchable: bool = True


SUBLEVELS_WITHOUT_GAPS = "sublevels_without_gaps"
TABLE2_WITHIN_TABLES_1_3 = "table2_within_tables_1_3"
TABLE2_COVERS_TABLE1_LEVELS = "table2_covers_table1_levels"
ONE_EDITION_PER_SQF = "one_edition_per_sqf"
AT_LEAST_ONE_STANDARD = "at_least_one_standard"
SKILL_LEVEL_NQF_WARNING = "skill_level_nqf_warning"
DECISION_MEETING_DATE = "decision_meeting_date"
DECISION_PROTOCOL_NUMBER = "decision_protocol_number"
DECISION_MAJORITY = "decision_majority"
RECOMMENDATIONS_ANSWERED = "recommendations_answered"

POLICIES: dict[str, Policy] = {
    p.key: p
    for p in [
        Policy(
            SUBLEVELS_WITHOUT_GAPS,
            _("Sub-levels are numbered 4.1, 4.2 … without gaps (blocking)"),
            _("§9 allows sub-levels but says nothing of their numbering; gaps confuse readers."),
            "Rules §9",
            "sbsh/document/compliance_tables.py:rule_levels",
        ),
        Policy(
            TABLE2_WITHIN_TABLES_1_3,
            _("Table 2 places only occupations of Tables 1 and 3"),
            _("Keeps the three tables of one SQF consistent; Annex §10 does not require it."),
            "Annex §10",
            "sbsh/document/compliance_tables.py:rule_table2_coverage",
        ),
        Policy(
            TABLE2_COVERS_TABLE1_LEVELS,
            _("Table 2 has an occupation at every SQF level of Table 1"),
            _("A functional map with a missing level breaks the trajectories of §8.4."),
            "Annex §10",
            "sbsh/document/compliance_tables.py:rule_table2_coverage",
        ),
        Policy(
            ONE_EDITION_PER_SQF,
            _("One edition of each classifier per SQF"),
            _("Codes of two editions may mean different things; the Rules cite NKZ 01-2017."),
            "Annex §11",
            "sbsh/document/compliance_tables.py:rule_codes",
        ),
        Policy(
            AT_LEAST_ONE_STANDARD,
            _("At least one professional standard is listed"),
            _("Annex §7 asks for the list; an empty list is more likely an omission."),
            "Annex §7",
            "sbsh/document/compliance.py:rule_standards",
        ),
        Policy(
            SKILL_LEVEL_NQF_WARNING,
            _("Warn when an NQF level is unusual for the NKZ skill level (warning only)"),
            _("A plausibility table of this product, not of the Rules or the NQF."),
            "Rules §10.5–§10.6",
            "sbsh/document/compliance_tables.py:rule_table3_consistency",
        ),
        Policy(
            DECISION_MEETING_DATE,
            _("A council decision is dated by its meeting"),
            _(
                "The §8 and §14 clocks start on the day of the decision; without it they cannot run."
            ),
            "Rules §8, §12",
            "sbsh/workflow/decisions.py:_meeting_clean",
            switchable=False,
        ),
        Policy(
            DECISION_PROTOCOL_NUMBER,
            _("A council decision records its protocol number"),
            _("Lets the ministry and the national body find the decision; the Rules are silent."),
            "Rules §8, §12",
            "sbsh/workflow/decisions.py:_meeting_clean",
        ),
        Policy(
            DECISION_MAJORITY,
            _("Develop, update and approve need more votes for than against"),
            _("The council's own regulations set its quorum and majority, not Order No. 384."),
            "Rules §8, §12",
            "sbsh/workflow/decisions.py:_meeting_clean",
        ),
        Policy(
            RECOMMENDATIONS_ANSWERED,
            _("Resubmission only after every recommendation is answered"),
            _(
                "§13 says the draft is revised “taking the recommendations into account” "
                "(ескере отырып); answering each one records how."
            ),
            "Rules §13",
            "sbsh/workflow/effects.py:_recommendations_answered",
        ),
    ]
}


def switched_off() -> frozenset[str]:
    """The keys an administrator switched off (only switchable ones count)."""
    from sbsh.models import PolicySwitch

    return frozenset(
        key
        for key in PolicySwitch.objects.filter(enabled=False).values_list("key", flat=True)
        if key in POLICIES and POLICIES[key].switchable
    )


def is_on(key: str) -> bool:
    return key not in switched_off()


def clause(key: str) -> str:
    """The clause field of a finding or refusal that a policy makes."""
    return f"policy:{key}"
