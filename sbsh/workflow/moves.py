"""The Rules as moves of a version: who may make each, what clock it stops and starts
(Rules §1: the order of developing and (or) updating an SQF).

`version_transition` is the only way a version's status changes. In one transaction it
checks the actor's role against the move (the role the Rules name, in the organisation
they name), locks the version, runs the django-fsm transition, writes the transition log
and the audit row, then runs the move's declared effects in order (`Move.effects`, see
sbsh/workflow/effects.py: close and open clocks, stamp dates, hand over, publish,
supersede; notifications and the documents' preparation after commit). A refused move
changes nothing and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import ConcurrentTransition, can_proceed

from councils import access
from councils.models import Role, User
from councils.services import audit_record
from deadlines.rules import Stage
from sbsh import limits
from sbsh.models import Version, VersionTransition
from sbsh.templatetags.sqf import localize_clause
from sbsh.workflow import effects
from sbsh.workflow.effects import Step


class WorkflowError(Exception):
    """A move that the Rules do not allow now, or not to this person. Nothing was written."""


@dataclass(frozen=True)
class Move:
    role: str
    organisation: str  # "state_body", "council" or "national_body"
    clause: str
    label: object
    opens: str | None = None  # the clock of the state the move leads to
    needs_comment: bool = False
    needs_compliance: bool = False
    # Made only by recording the council's decision (meeting, protocol, votes).
    needs_decision: bool = False
    # What the move does besides changing the status, in order (sbsh/workflow/effects.py).
    effects: tuple[str, ...] = ("close_clocks", "notify")


# The usual effects of a move that leads to a state with a clock of its own.
CLOCKED = ("close_clocks", "open_clock", "notify")

MOVES: dict[str, Move] = {
    # Rules §8 → §11: drafting within 20 working days after the preparatory work.
    "finish_preparation": Move(
        Role.MINISTRY_STAFF,
        "state_body",
        "Rules §11",
        gettext_lazy("Finish the preparatory work"),
        Stage.DRAFTING,
        effects=("preparation_complete", *CLOCKED),
    ),
    # Rules §11 → §12: the council has 5 working days after receipt.
    "submit": Move(
        Role.MINISTRY_STAFF,
        "state_body",
        "Rules §12",
        gettext_lazy("Submit to the council"),
        Stage.REVIEW,
        needs_compliance=True,
        effects=CLOCKED,
    ),
    # Rules §12 → §13: recommendations; the state body has 5 working days to revise.
    "return_for_revision": Move(
        Role.COUNCIL_SECRETARY,
        "council",
        "Rules §13",
        gettext_lazy("Return with recommendations"),
        Stage.REVISION,
        needs_comment=True,
        needs_decision=True,
        effects=CLOCKED,
    ),
    # Rules §13: the council considers the revised draft within 2 working days.
    "resubmit": Move(
        Role.MINISTRY_STAFF,
        "state_body",
        "Rules §13",
        gettext_lazy("Resubmit the revised draft"),
        Stage.RE_REVIEW,
        needs_compliance=True,
        effects=("recommendations_answered", *CLOCKED),
    ),
    # Rules §12 → §14: sent to the national body within 3 working days after approval.
    "approve": Move(
        Role.COUNCIL_SECRETARY,
        "council",
        "Rules §12",
        gettext_lazy("Record the council's approval"),
        Stage.HANDOVER,
        needs_decision=True,
        effects=("stamp_approval", *CLOCKED, "prepare_documents"),
    ),
    "send": Move(
        Role.MINISTRY_STAFF,
        "state_body",
        "Rules §14",
        gettext_lazy("Send to the national body"),
        effects=("hand_over", "close_clocks", "link_handover_clock", "notify"),
    ),
    "receive": Move(
        Role.NATIONAL_OFFICER,
        "national_body",
        "Rules §14",
        gettext_lazy("Acknowledge receipt"),
        effects=("stamp_received", "close_clocks", "notify"),
    ),
    "publish": Move(
        Role.NATIONAL_OFFICER,
        "national_body",
        "Rules §14",
        gettext_lazy("Publish"),
        effects=("close_clocks", "publish", "supersede", "notify"),
    ),
    # Rules §14, technical: a document is missing or damaged. The first §14 clock stays
    # met and is marked returned; the re-send runs on its own clock.
    "return_handover": Move(
        Role.NATIONAL_OFFICER,
        "national_body",
        "Rules §14",
        gettext_lazy("Return the hand-over (missing or damaged file)"),
        Stage.HANDOVER_RESEND,
        needs_comment=True,
        effects=("stamp_returned", *CLOCKED),
    ),
    # Rules §13–§14: the documents of the approved content cannot be prepared (a render
    # failed): the council's secretary returns the version for revision, with the reason.
    # Without it such a version would sit in *approved* while the §14 clock runs out.
    "reopen_for_revision": Move(
        Role.COUNCIL_SECRETARY,
        "council",
        "Rules §13",
        gettext_lazy("Return for revision: the documents cannot be prepared"),
        Stage.REVISION,
        needs_comment=True,
        effects=("documents_failed", *CLOCKED),
    ),
    # Withdrawal is no clause of the Rules: the state body ends its own development.
    "withdraw": Move(
        Role.MINISTRY_STAFF, "state_body", "", gettext_lazy("Withdraw"), needs_comment=True
    ),
}

# Which organisation is responsible for the clock of each stage.
STAGE_ORGANISATION = {
    Stage.PREPARATION: "state_body",
    Stage.DRAFTING: "state_body",
    Stage.REVIEW: "council",
    Stage.REVISION: "state_body",
    Stage.RE_REVIEW: "council",
    Stage.HANDOVER: "state_body",
    Stage.HANDOVER_RESEND: "state_body",
}


def may_move(user: User, version: Version, name: str) -> bool:
    """Whether `user` holds the role this move needs in the organisation it needs."""
    move = MOVES.get(name)
    if move is None or not user.is_authenticated or not user.is_active:
        return False
    if move.organisation == "national_body":
        return access.is_national_officer(user)
    org_id = (
        version.framework.state_body_id
        if move.organisation == "state_body"
        else version.framework.council_id
    )
    return access.has_role(user, move.role, org_id)


def available_moves(user: User, version: Version) -> list[tuple[str, Move]]:
    return [
        (name, move)
        for name, move in MOVES.items()
        if can_proceed(getattr(version, name)) and may_move(user, version, name)
    ]


def blockers(version: Version, name: str, *, known_findings: list | None = None) -> list[str]:
    """What the Rules require before this move that the version does not have yet: the
    compliance check (Rules §11–§13) and the checks of the move's declared effects.

    `known_findings`: the compliance findings, when the caller has them already."""
    return _blockers(Step(version=version, name=name, move=MOVES[name]), known_findings)


def _blockers(step: Step, known_findings: list | None = None) -> list[str]:
    from sbsh.document import checks

    found: list[str] = []
    if step.move.needs_compliance:
        all_findings = (
            known_findings if known_findings is not None else checks.findings(step.version)
        )
        blocking = [f for f in all_findings if f.blocking]
        if blocking:
            found.append(
                _("The compliance check has %(n)s findings that must be fixed first (%(clause)s).")
                % {"n": len(blocking), "clause": localize_clause(blocking[0].clause)}
            )
    for effect in effects.effects_of(step.move):
        if effect.check is not None:
            found += effect.check(step)
    return found


def version_transition(
    *,
    actor: User,
    version: Version,
    name: str,
    comment: str = "",
    today: dt.date | None = None,
    decision: object | None = None,
    clock_start: dt.date | None = None,
) -> Version:
    """Make the move `name`, dated `today` (the running clock closes that day).

    `clock_start`: the day the next clock starts, when the Rules start it on another
    event than the move itself (Rules §13: the revision runs from the day the council's
    recommendations are sent, not from the meeting that adopted them)."""
    move = MOVES.get(name)
    if move is None:
        raise WorkflowError(_("Unknown move."))
    if not may_move(actor, version, name):
        raise PermissionError(name)
    if move.needs_decision and decision is None:
        raise WorkflowError(
            _(
                "Record the council's decision (meeting date, protocol, votes) to make this move (Rules §12)."
            )
        )
    if move.needs_comment and not comment.strip():
        raise WorkflowError(_("Write the reason or the recommendations first."))
    if len(comment) > limits.TEXT:
        raise WorkflowError(
            _("The reason is %(n)s characters long; at most %(max)s are accepted.")
            % {"n": len(comment), "max": limits.TEXT}
        )
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = (
            Version.objects.select_for_update()
            .select_related("framework__state_body", "framework__council")
            .get(pk=version.pk)
        )
        method = getattr(locked, name)
        if not can_proceed(method):
            raise WorkflowError(
                _("This move is not possible while the version is “%(status)s”.")
                % {"status": locked.get_status_display()}
            )
        step = Step(
            version=locked,
            name=name,
            move=move,
            actor=actor,
            comment=comment.strip(),
            today=today,
            clock_start=clock_start,
            source=locked.status,
        )
        found = _blockers(step)
        if found:
            raise WorkflowError(" ".join(found))
        declared = effects.effects_of(move)
        method()
        for effect in declared:
            if effect.stamp is not None:
                effect.stamp(step)
        try:
            locked.save()
        except ConcurrentTransition:
            raise WorkflowError(
                _("Someone else moved this version at the same moment; reload the page.")
            ) from None
        log = step.log = VersionTransition.objects.create(
            version=locked,
            name=name,
            source=step.source,
            target=locked.status,
            actor=actor,
            comment=step.comment,
            clause=move.clause,
        )
        audit_record(
            actor=actor,
            action=f"sqf.version.{name}",
            obj=locked,
            organisation=locked.framework.state_body,
            changes={"from": step.source, "to": locked.status},
            comment=step.comment,
        )
        for effect in declared:
            if effect.run is not None:
                effect.run(step)
        for effect in declared:
            if effect.on_commit is not None:
                transaction.on_commit(partial(effect.on_commit, step))
    assert log.pk
    return Version.objects.get(pk=locked.pk)


def version_transition_system_supersede(older: Version, actor: User) -> None:
    """Rules §16: publishing an update supersedes the version it replaces."""
    source = older.status
    older.supersede()
    older.save()
    VersionTransition.objects.create(
        version=older,
        name="supersede",
        source=source,
        target=older.status,
        actor=actor,
        clause="Rules §16",
    )
    audit_record(
        actor=actor,
        action="sqf.version.supersede",
        obj=older,
        organisation=older.framework.state_body,
        changes={"from": source, "to": older.status},
    )
