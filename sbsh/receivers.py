"""sbsh's answers to the signals of the apps below it, which do not import sbsh (the
layers of .importlinter): connected in SbshConfig.ready()."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.dispatch import receiver

from classifiers.models import Edition
from classifiers.signals import edition_loaded
from deadlines.models import Deadline
from deadlines.signals import daily_check
from sbsh.document.impact import edition_impact, edition_impact_run, impact_lines, impact_notify
from sbsh.workflow.grounds import grounds_year_clocks_open


@receiver(daily_check, dispatch_uid="sbsh.grounds_year_clocks")
def grounds_year_clocks(sender: Any, *, today: dt.date, **kwargs: Any) -> list[Deadline]:
    """Rules §6: the daily check opens each year's clock of each state body."""
    return grounds_year_clocks_open(today=today)


@receiver(edition_loaded, dispatch_uid="sbsh.edition_impact")
def edition_loaded_impact(
    sender: Any, *, edition: Edition, as_lines: bool = False, **kwargs: Any
) -> list[Any]:
    """Rules §15.2: the SQF versions citing a code the new edition removes or renames, their
    owners told. As plain data for the import's report (told after commit), or as the lines
    the load command prints (told at once)."""
    if not as_lines:
        return edition_impact_run(edition)
    impact = edition_impact(edition)
    lines = impact_lines(edition, impact)
    impact_notify(edition, impact)
    return lines
