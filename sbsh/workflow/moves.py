"""The Rules as moves of a version: who may make each, what clock it stops and starts
(Rules §1: the order of developing and (or) updating an SQF).

`version_transition` is the only way a version's status changes. In one transaction it
checks the actor's role against the move (the role the Rules name, in the organisation
they name), locks the version, runs the django-fsm transition, writes the transition log
and the audit row, closes the running deadline and opens the next one; notifications go
out after commit. A refused move changes nothing and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import ConcurrentTransition, can_proceed

from councils import access
from councils.models import Organisation, Role, User
from councils.services import audit_record
from deadlines import services as deadline_services
from deadlines.models import Deadline
from deadlines.rules import Stage
from sbsh import limits
from sbsh.models import Handover, Version, VersionTransition
from sbsh.templatetags.sqf import localize_clause
from sbsh.workflow import notify, policy

S = Version.Status


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


MOVES: dict[str, Move] = {
    # Rules §8 → §11: drafting within 20 working days after the preparatory work.
    "finish_preparation": Move(
        Role.MINISTRY_STAFF,
        "state_body",
        "Rules §11",
        gettext_lazy("Finish the preparatory work"),
        Stage.DRAFTING,
    ),
    # Rules §11 → §12: the council has 5 working days after receipt.
    "submit": Move(
        Role.MINISTRY_STAFF,
        "state_body",
        "Rules §12",
        gettext_lazy("Submit to the council"),
        Stage.REVIEW,
        needs_compliance=True,
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
    ),
    # Rules §13: the council considers the revised draft within 2 working days.
    "resubmit": Move(
        Role.MINISTRY_STAFF,
        "state_body",
        "Rules §13",
        gettext_lazy("Resubmit the revised draft"),
        Stage.RE_REVIEW,
        needs_compliance=True,
    ),
    # Rules §12 → §14: sent to the national body within 3 working days after approval.
    "approve": Move(
        Role.COUNCIL_SECRETARY,
        "council",
        "Rules §12",
        gettext_lazy("Record the council's approval"),
        Stage.HANDOVER,
        needs_decision=True,
    ),
    "send": Move(
        Role.MINISTRY_STAFF, "state_body", "Rules §14", gettext_lazy("Send to the national body")
    ),
    "receive": Move(
        Role.NATIONAL_OFFICER, "national_body", "Rules §14", gettext_lazy("Acknowledge receipt")
    ),
    "publish": Move(Role.NATIONAL_OFFICER, "national_body", "Rules §14", gettext_lazy("Publish")),
    # Rules §14, technical: a document is missing or damaged. The first §14 clock stays
    # met and is marked returned; the re-send runs on its own clock.
    "return_handover": Move(
        Role.NATIONAL_OFFICER,
        "national_body",
        "Rules §14",
        gettext_lazy("Return the hand-over (missing or damaged file)"),
        Stage.HANDOVER_RESEND,
        needs_comment=True,
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


def _organisation(version: Version, which: str) -> Organisation:
    if which == "state_body":
        return version.framework.state_body
    if which == "council":
        return version.framework.council
    national = Organisation.objects.filter(kind=Organisation.Kind.NATIONAL_BODY).first()
    if national is None:
        raise WorkflowError(_("There is no national body to send to."))
    return national


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


def blockers(
    version: Version,
    name: str,
    *,
    known_findings: list | None = None,
    known_handover: tuple | None = None,
) -> list[str]:
    """What the Rules require before this move that the version does not have yet.

    `known_findings`, `known_handover`: the compliance findings, and the hand-over
    documents (ready, missing), when the caller has them already."""
    from sbsh.document import selectors
    from sbsh.workflow import decisions

    found: list[str] = []
    if name == "finish_preparation":
        missing = [item for item in selectors.preparation_checklist(version) if not item.done]
        if missing:
            found.append(
                _("The preparatory work is not complete (Rules §8): %(items)s.")
                % {"items": "; ".join(str(item.label) for item in missing)}
            )
    if MOVES[name].needs_compliance:
        all_findings = known_findings if known_findings is not None else selectors.findings(version)
        blocking = [f for f in all_findings if f.blocking]
        if blocking:
            found.append(
                _("The compliance check has %(n)s findings that must be fixed first (%(clause)s).")
                % {"n": len(blocking), "clause": localize_clause(blocking[0].clause)}
            )
    if name == "resubmit" and policy.is_on(policy.RECOMMENDATIONS_ANSWERED):
        # Local policy: §13 says "taking the recommendations into account"; answering
        # each one is how this workbench records that (sbsh/policy.py).
        pending = decisions.open_recommendations(version)
        if pending:
            found.append(
                _(
                    "Answer every recommendation of the council first: %(n)s not answered (local policy; Rules §13 asks the draft to be revised taking them into account)."
                )
                % {"n": len(pending)}
            )
    if name == "reopen_for_revision":
        from exports.models import Rendering

        if not Rendering.objects.filter(version=version, status=Rendering.Status.FAILED).exists():
            found.append(
                _(
                    "An approved version goes back for revision only when its documents could not be prepared (Rules §14); prepare them on the Documents page and send them."
                )
            )
    if name == "send":
        from exports.services import handover_documents

        ready, missing = known_handover or handover_documents(version)
        if missing:
            found.append(
                _(
                    "The documents in Kazakh and Russian are not ready yet (Rules §14): %(missing)s. Prepare them on the Documents page."
                )
                % {"missing": ", ".join(f"{lang.upper()} {fmt.upper()}" for lang, fmt in missing)}
            )
        elif settings.SQF_SIGNATURES_REQUIRED:
            from exports.signatures import unsigned_handover

            unsigned = unsigned_handover(version, ready)
            if unsigned:
                found.append(
                    _(
                        "Sign the documents with ЭЦП on the Documents page first (Rules §14, Law 370-II Art. 7): %(unsigned)s."
                    )
                    % {
                        "unsigned": ", ".join(
                            f"{r.language.upper()} {r.format.upper()}" for r in unsigned
                        )
                    }
                )
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
        handover = None
        if name == "send":
            from exports.services import handover_documents
            from sbsh.document.content import content_hash, version_content

            # Read the content once: the documents of it, and its checksum as approved
            # and rendered, before the status moves on.
            content = version_content(locked)
            handover = handover_documents(locked, content=content)
            handover_hash = content_hash(content)
        found = blockers(locked, name, known_handover=handover)
        if found:
            raise WorkflowError(" ".join(found))
        handover_renderings = handover[0] if handover else None
        source = locked.status
        method()
        if name == "approve":
            locked.approved_on = today
        try:
            locked.save()
        except ConcurrentTransition:
            raise WorkflowError(
                _("Someone else moved this version at the same moment; reload the page.")
            ) from None
        log = VersionTransition.objects.create(
            version=locked,
            name=name,
            source=source,
            target=locked.status,
            actor=actor,
            comment=comment.strip(),
            clause=move.clause,
        )
        audit_record(
            actor=actor,
            action=f"sqf.version.{name}",
            obj=locked,
            organisation=locked.framework.state_body,
            changes={"from": source, "to": locked.status},
            comment=comment.strip(),
        )
        if handover_renderings is not None:
            handover = Handover.objects.create(
                version=locked, content_sha256=handover_hash, sent_by=actor
            )
            handover.renderings.set(handover_renderings)
        if name in ("receive", "return_handover"):
            stamp = {"received_at": timezone.now()}
            if name == "return_handover":
                stamp = {"returned_at": timezone.now(), "return_reason": comment.strip()}
            latest = Handover.objects.filter(version=locked).order_by("-sent_at").first()
            if latest is not None:
                Handover.objects.filter(pk=latest.pk).update(**stamp)
                if name == "return_handover" and latest.deadline_id:
                    deadline_services.deadline_mark_returned(
                        deadline=latest.deadline, actor=actor, reason=comment.strip()
                    )
        closed = [
            deadline_services.deadline_close(deadline=deadline, completed_on=today, actor=actor)
            for deadline in Deadline.objects.filter(
                object_id=str(locked.pk), status__in=Deadline.ACTIVE, content_type__model="version"
            )
        ]
        if isinstance(handover, Handover):
            # Each hand-over keeps the clock it met (or missed): the §14 clock for the
            # first sending, the re-send clock after a return.
            sent_on = [d for d in closed if d.stage in (Stage.HANDOVER, Stage.HANDOVER_RESEND)]
            if sent_on:
                handover.deadline = sent_on[-1]
                handover.save(update_fields=["deadline"])
        opened = None
        if move.opens:
            opened = deadline_services.deadline_open(
                subject=locked,
                stage=move.opens,
                organisation=_organisation(locked, STAGE_ORGANISATION[move.opens]),
                start_date=clock_start or today,
                actor=actor,
                subject_label=f"{locked.framework.sector_ru} v{locked.number}",
            )
        if name == "publish":
            from sbsh.publication.services import publication_create

            publication_create(version=locked)
            for older in Version.objects.filter(
                framework=locked.framework, status=S.PUBLISHED
            ).exclude(pk=locked.pk):
                version_transition_system_supersede(older, actor)
        log_id, opened_id = log.pk, opened.pk if opened else None
        transaction.on_commit(lambda: notify.transition(log_id, opened_id))
        if name == "approve":
            # The content is frozen now: start rendering the hand-over documents (Rules §14).
            version_id = locked.pk
            transaction.on_commit(lambda: _handover_prepare(version_id, actor))
    assert log.pk
    return Version.objects.get(pk=locked.pk)


def _handover_prepare(version_id: int, actor: User) -> None:
    from exports.services import handover_prepare

    version = Version.objects.select_related("framework__state_body").get(pk=version_id)
    handover_prepare(version=version, actor=actor)


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
