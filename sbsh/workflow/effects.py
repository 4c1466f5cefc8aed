"""What a move does besides changing the status: its declared effects.

Each move in `moves.MOVES` names its effects in order. An effect may have up to four parts,
each a function of the `Step` being made:

- `check`: before the move, what the Rules require that the version does not have yet
  (a list of messages; any message refuses the move and nothing is written);
- `stamp`: on the locked version, after the status changed and before it is saved;
- `run`: after the save, the transition log and the audit row, in the same transaction;
- `on_commit`: after the transaction commits (notifications, background work).

`version_transition` runs them in the declared order inside its one transaction. The
apps above `sbsh` provide their effects by registering them in their `AppConfig.ready()`
(the hand-over documents are `exports`'); a system check (`effects_missing`) refuses to
start with a move naming an effect nobody registered. A new move is one entry in `MOVES`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from deadlines import services as deadline_services
from deadlines.models import Deadline
from deadlines.rules import Stage
from sbsh.models import Handover, Version

if TYPE_CHECKING:
    from councils.models import Organisation, User
    from sbsh.models import VersionTransition
    from sbsh.workflow.moves import Move


@dataclass
class Step:
    """One move being made (or asked about): what its effects read and hand on."""

    version: Version
    name: str
    move: Move
    actor: User | None = None
    comment: str = ""
    today: dt.date | None = None
    clock_start: dt.date | None = None
    # What a check found and a later part reuses (the hand-over documents, the findings).
    known: dict[str, Any] = field(default_factory=dict)
    source: str = ""
    log: VersionTransition | None = None
    closed: list[Deadline] = field(default_factory=list)
    opened: Deadline | None = None


Part = Callable[[Step], Any]


@dataclass(frozen=True)
class Effect:
    label: str  # in words, for docs/architecture.md and the diagram
    check: Part | None = None
    stamp: Part | None = None
    run: Part | None = None
    on_commit: Part | None = None


EFFECTS: dict[str, Effect] = {}


def register(
    name: str,
    label: str,
    *,
    check: Part | None = None,
    stamp: Part | None = None,
    run: Part | None = None,
    on_commit: Part | None = None,
) -> None:
    """Provide the effect `name` (called from an `AppConfig.ready()`)."""
    if name in EFFECTS:
        raise ValueError(f"The move effect {name!r} is registered twice.")
    EFFECTS[name] = Effect(label, check, stamp, run, on_commit)


def effects_of(move: Move) -> list[Effect]:
    return [EFFECTS[name] for name in move.effects]


def effects_missing(app_configs: Any = None, **kwargs: Any) -> list:
    """Django system check: every effect a move declares is provided by an installed app."""
    from django.core.checks import Error

    from sbsh.workflow.moves import MOVES

    return [
        Error(
            f"The move {name!r} declares the effect {effect!r}, which no app registers.",
            id="sbsh.E001",
        )
        for name, move in MOVES.items()
        for effect in move.effects
        if effect not in EFFECTS
    ]


# --- The effects sbsh provides itself -----------------------------------------------------


def _preparation_complete(step: Step) -> list[str]:
    # Rules §8: the preparatory work is done before the drafting starts.
    from sbsh.document import checks

    missing = [item for item in checks.preparation_checklist(step.version) if not item.done]
    if not missing:
        return []
    return [
        _("The preparatory work is not complete (Rules §8): %(items)s.")
        % {"items": "; ".join(str(item.label) for item in missing)}
    ]


def _recommendations_answered(step: Step) -> list[str]:
    # Local policy: §13 says "taking the recommendations into account"; answering each
    # one is how this workbench records that (sbsh/workflow/policy.py).
    from sbsh.workflow import decisions, policy

    if not policy.is_on(policy.RECOMMENDATIONS_ANSWERED):
        return []
    pending = decisions.open_recommendations(step.version)
    if not pending:
        return []
    return [
        _(
            "Answer every recommendation of the council first: %(n)s not answered (local policy; Rules §13 asks the draft to be revised taking them into account)."
        )
        % {"n": len(pending)}
    ]


def _stamp_approval(step: Step) -> None:
    # Rules §12: the day of the council's approval; the §14 clock runs from it.
    step.version.approved_on = step.today


def _close_clocks(step: Step) -> None:
    # The running clock of the version stops on the day of the move.
    step.closed = [
        deadline_services.deadline_close(
            deadline=deadline, completed_on=step.today, actor=step.actor
        )
        for deadline in Deadline.objects.filter(
            object_id=str(step.version.pk),
            status__in=Deadline.ACTIVE,
            content_type__model="version",
        )
    ]


def _organisation(version: Version, which: str) -> Organisation:
    from councils.models import Organisation
    from sbsh.workflow.moves import WorkflowError

    if which == "state_body":
        return version.framework.state_body
    if which == "council":
        return version.framework.council
    national = Organisation.objects.filter(kind=Organisation.Kind.NATIONAL_BODY).first()
    if national is None:
        raise WorkflowError(_("There is no national body to send to."))
    return national


def _open_clock(step: Step) -> None:
    # The clock of the state the move leads to (Rules §11–§14), counted in working days.
    from sbsh.workflow.moves import STAGE_ORGANISATION

    stage = step.move.opens
    version = step.version
    step.opened = deadline_services.deadline_open(
        subject=version,
        stage=stage,
        organisation=_organisation(version, STAGE_ORGANISATION[stage]),
        start_date=step.clock_start or step.today,
        actor=step.actor,
        subject_label=f"{version.framework.sector_ru} v{version.number}",
    )


def _latest_handover(step: Step) -> Any:

    return Handover.objects.filter(version=step.version).order_by("-sent_at").first()


def _link_handover_clock(step: Step) -> None:
    # Each hand-over keeps the clock it met (or missed): the §14 clock for the first
    # sending, the re-send clock after a return.
    handover = step.known.get("handover_record")
    sent_on = [d for d in step.closed if d.stage in (Stage.HANDOVER, Stage.HANDOVER_RESEND)]
    if handover is not None and sent_on:
        handover.deadline = sent_on[-1]
        handover.save(update_fields=["deadline"])


def _stamp_received(step: Step) -> None:
    # Rules §14: the national body acknowledges receipt of the latest hand-over.

    latest = _latest_handover(step)
    if latest is not None:
        Handover.objects.filter(pk=latest.pk).update(received_at=timezone.now())


def _stamp_returned(step: Step) -> None:
    # Rules §14, technical: the hand-over is returned (a file missing or damaged); the
    # first §14 clock stays met and is marked returned.

    latest = _latest_handover(step)
    if latest is None:
        return
    reason = step.comment.strip()
    Handover.objects.filter(pk=latest.pk).update(returned_at=timezone.now(), return_reason=reason)
    if latest.deadline_id:
        deadline_services.deadline_mark_returned(
            deadline=latest.deadline, actor=step.actor, reason=reason
        )


def _publish(step: Step) -> None:
    # Rules §14: the national body publishes; the content is frozen in a Publication.
    from sbsh.publication.services import publication_create

    publication_create(version=step.version)


def _supersede(step: Step) -> None:
    # Rules §16: publishing an update supersedes the version it replaces.
    from sbsh.workflow.moves import version_transition_system_supersede

    for older in Version.objects.filter(
        framework=step.version.framework, status=Version.Status.PUBLISHED
    ).exclude(pk=step.version.pk):
        version_transition_system_supersede(older, step.actor)


def _notify(step: Step) -> None:
    from sbsh.workflow import notify

    notify.transition(step.log.pk, step.opened.pk if step.opened else None)


def register_own() -> None:
    """The effects whose code lives in sbsh (called from SbshConfig.ready)."""
    register("preparation_complete", "check the preparatory work (§8)", check=_preparation_complete)
    register(
        "recommendations_answered",
        "check every recommendation is answered (local policy, §13)",
        check=_recommendations_answered,
    )
    register("stamp_approval", "stamp the approval date (§12)", stamp=_stamp_approval)
    register("close_clocks", "close the running clock", run=_close_clocks)
    register("open_clock", "open the next clock", run=_open_clock)
    register(
        "link_handover_clock", "record the clock the hand-over met (§14)", run=_link_handover_clock
    )
    register("stamp_received", "stamp the receipt of the hand-over (§14)", run=_stamp_received)
    register("stamp_returned", "stamp the return of the hand-over (§14)", run=_stamp_returned)
    register("publish", "publish: freeze the content in the registry (§14)", run=_publish)
    register("supersede", "supersede the version it replaces (§16)", run=_supersede)
    register("notify", "notify the next actor (after commit)", on_commit=_notify)
