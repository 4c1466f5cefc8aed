"""The clocks of the Rules: which stage runs how many working days (Rules §6, §8, §11–§14)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Clock:
    clause: str
    working_days: int | None  # None: a calendar date (Rules §6)
    label: Promise
    # Who runs the clock: the kind of organisation responsible.
    responsible: str


class Stage:
    GROUNDS = "grounds"
    PREPARATION = "preparation"
    DRAFTING = "drafting"
    REVIEW = "review"
    REVISION = "revision"
    RE_REVIEW = "re_review"
    HANDOVER = "handover"


CLOCKS: dict[str, Clock] = {
    Stage.GROUNDS: Clock(
        "§6", None, _("Grounds to the council (proposals, gap analysis)"), "state_body"
    ),
    Stage.PREPARATION: Clock(
        "§8", 60, _("Preparatory work after the council's decision"), "state_body"
    ),
    Stage.DRAFTING: Clock("§11", 20, _("Drafting and submission to the council"), "state_body"),
    Stage.REVIEW: Clock("§12", 5, _("Council review: approve or send recommendations"), "council"),
    Stage.REVISION: Clock(
        "§13", 5, _("Revision after the council's recommendations"), "state_body"
    ),
    Stage.RE_REVIEW: Clock("§13", 2, _("Council review of the revised draft"), "council"),
    Stage.HANDOVER: Clock(
        "§14", 3, _("Hand-over to the national body in Kazakh and Russian"), "state_body"
    ),
}

STAGE_CHOICES = [(key, clock.label) for key, clock in CLOCKS.items()]

# Rules-independent product rule: a deadline is "due soon" with this many working days left.
DUE_SOON_WORKING_DAYS = 2
