"""The clocks of the Rules: which stage runs how many working days (Rules §6, §8, §11–§14),
and how each one is counted.

The counting convention is per clock, because the Rules word the clocks differently:
§8 "шешім шығарған күннен кейін", §11 "аяқталғаннан кейін", §12 "келіп түскен күннен кейін"
and §14 "бекіткеннен кейін" all say *after* the day of the event, so that day is never
counted. §13's re-review says "келіп түскен күнінен бастап" (*from* the day of receipt).
We read it the same way as the others (the general rule of civil law starts a period on
the day after the event), but a ministry's lawyers may read it as counting the day of
receipt: set `count_event_day=True` on that one clock below, and no other clock moves.
"""

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
    # True: the day of the event is the first day counted (when it is a working day).
    # False: counting starts the day after ("күннен кейін"). See the module docstring.
    count_event_day: bool = False
    # The words of the Rules that start the clock, for the README and the coverage page.
    wording: str = ""


class Stage:
    GROUNDS = "grounds"
    PREPARATION = "preparation"
    DRAFTING = "drafting"
    REVIEW = "review"
    REVISION = "revision"
    RE_REVIEW = "re_review"
    HANDOVER = "handover"
    HANDOVER_RESEND = "handover_resend"


CLOCKS: dict[str, Clock] = {
    Stage.GROUNDS: Clock(
        "§6",
        None,
        _("Grounds to the council (proposals, gap analysis)"),
        "state_body",
        wording="талдау жүргізілген жылдан кейінгі жылдың 1-тоқсанынан кешіктірілмей",
    ),
    Stage.PREPARATION: Clock(
        "§8",
        60,
        _("Preparatory work after the council's decision"),
        "state_body",
        wording="шешім шығарған күннен кейін алпыс жұмыс күні ішінде",
    ),
    Stage.DRAFTING: Clock(
        "§11",
        20,
        _("Drafting and submission to the council"),
        "state_body",
        wording="дайындық жұмыстары аяқталғаннан кейін жиырма жұмыс күні ішінде",
    ),
    Stage.REVIEW: Clock(
        "§12",
        5,
        _("Council review: approve or send recommendations"),
        "council",
        wording="жоба келіп түскен күннен кейін бес жұмыс күні ішінде",
    ),
    # Rules §13: the five days run from the recommendations the state body receives
    # (§12: the council "жібереді" them), i.e. from the day they are recorded and sent.
    Stage.REVISION: Clock(
        "§13",
        5,
        _("Revision after the council's recommendations"),
        "state_body",
        wording="ұсынымдарын ескере отырып … бес жұмыс күні ішінде",
    ),
    Stage.RE_REVIEW: Clock(
        "§13",
        2,
        _("Council review of the revised draft"),
        "council",
        count_event_day=False,  # the one clock worded "күнінен бастап"; see above
        wording="келіп түскен күнінен бастап екі жұмыс күні ішінде",
    ),
    Stage.HANDOVER: Clock(
        "§14",
        3,
        _("Hand-over to the national body in Kazakh and Russian"),
        "state_body",
        wording="салалық кеңес бекіткеннен кейін үш жұмыс күні ішінде",
    ),
    # Not a clock of the Rules' text: the national body returned the hand-over for a
    # technical reason (a file missing or damaged). The §14 clock was met by the first
    # sending and stays so (marked returned); the re-send runs on this clock, §14's three
    # working days counted from the return (an interpretation, see docs/rules-coverage.md).
    Stage.HANDOVER_RESEND: Clock(
        "§14",
        3,
        _("Re-send of a hand-over the national body returned (technical)"),
        "state_body",
        wording="",
    ),
}

STAGE_CHOICES = [(key, clock.label) for key, clock in CLOCKS.items()]

# Rules-independent product rule: a deadline is "due soon" with this many working days left.
DUE_SOON_WORKING_DAYS = 2
