"""The models of the `sbsh` app, gathered where Django looks for them.

Each model lives beside the code of its concern: the document (`document/models.py`),
the workflow (`workflow/models.py`) and the publication (`publication/models.py`).
The app label stays `sbsh`, so no table moved (docs/architecture.md).
"""

from __future__ import annotations

from sbsh.document.models import (
    COLUMN_LABELS,
    LANGUAGES,
    LONG_CELL,
    SQF_LEVEL_VALIDATOR,
    BilingualMixin,
    Framework,
    NkzCorrespondence,
    Part,
    ProfessionalStandard,
    ProgressionLink,
    Table1Row,
    Table2Entry,
    Table3Row,
    UpdateGround,
    Version,
    WorkingGroupMember,
)
from sbsh.publication.models import Publication, PublicationTerm
from sbsh.workflow.models import (
    UPDATE_GROUND_CLAUSES,
    Comment,
    Decision,
    GapFinding,
    Ground,
    GroundRow,
    Handover,
    PolicySwitch,
    Recommendation,
    UpdateReason,
    VersionTransition,
)

__all__ = [
    "COLUMN_LABELS",
    "LANGUAGES",
    "LONG_CELL",
    "SQF_LEVEL_VALIDATOR",
    "UPDATE_GROUND_CLAUSES",
    "BilingualMixin",
    "Comment",
    "Decision",
    "Framework",
    "GapFinding",
    "Ground",
    "GroundRow",
    "Handover",
    "NkzCorrespondence",
    "Part",
    "PolicySwitch",
    "ProfessionalStandard",
    "ProgressionLink",
    "Publication",
    "PublicationTerm",
    "Recommendation",
    "Table1Row",
    "Table2Entry",
    "Table3Row",
    "UpdateGround",
    "UpdateReason",
    "Version",
    "VersionTransition",
    "WorkingGroupMember",
]
