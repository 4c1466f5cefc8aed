"""Grounds and council decisions (Rules §5–§6, §8, §12–§13, §15–§16), and the answers to
the council's recommendations.

Every function here checks who acts (PermissionError), validates (ValidationError naming
the field and the clause), and writes inside one transaction with its audit row; a refusal
writes nothing. Notifications go out after commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from classifiers.models import Node
from councils import access
from councils.models import Organisation, Role, User
from councils.services import audit_record
from deadlines import services as deadline_services
from deadlines.models import Deadline
from deadlines.notifications import deadlines_announce_opened
from deadlines.rules import Stage
from sbsh import notify, policy, services
from sbsh.models import (
    UPDATE_GROUND_CLAUSES,
    Decision,
    Framework,
    GapFinding,
    Ground,
    GroundRow,
    Recommendation,
    UpdateGround,
    UpdateReason,
    Version,
    VersionTransition,
)
from sbsh.system_texts import decision_comment

# Versions of one SQF that are still being worked on: no second update may open beside them.
IN_PROGRESS = {
    "preparation",
    "drafting",
    "council_review",
    "revision",
    "re_review",
    "approved",
    "sent",
    "received",
}


# --- grounds (Rules §5–§6) ----------------------------------------------------------------------


def _ground_deadline(ground: Ground) -> Deadline | None:
    return (
        Deadline.objects.filter(
            content_type__app_label="sbsh",
            content_type__model="ground",
            object_id=str(ground.pk),
            status__in=Deadline.ACTIVE,
        )
        .order_by("-id")
        .first()
    )


def _ground_clean(ground: Ground) -> None:
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if ground.year > today.year:
        errors["year"] = [
            _("The year the analysis was carried out cannot be in the future (Rules §6).")
        ]
    if ground.framework_id:
        if ground.framework.council_id != ground.council_id:
            errors["framework"] = [_("Choose an SQF of this council's sector (Rules §5).")]
    elif ground.kind == Ground.Kind.PROPOSAL and not (
        ground.sector_kk.strip() and ground.sector_ru.strip()
    ):
        errors["sector_kk"] = [
            _(
                "Name the sector of the proposed new SQF in Kazakh and Russian, or choose the existing SQF to change (Rules §5.1)."
            )
        ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def ground_create(
    *,
    actor: User,
    kind: str,
    council: Organisation,
    year: int,
    framework: Framework | None = None,
    sector_kk: str = "",
    sector_ru: str = "",
    justification: str = "",
    findings: str = "",
    on_behalf_of: User | None = None,
) -> Ground:
    """Start a proposal (council member) or a gap analysis (state body) as a draft; its §6
    clock (31 March of the year after the analysis was carried out) starts at once.

    Rules §5.1: proposals are the council members' own. A member files their own; a
    secretary who is not a member records one on a named member's behalf."""
    if kind == Ground.Kind.PROPOSAL and not access.can_file_proposal(actor, council):
        raise PermissionError("proposal")
    if kind == Ground.Kind.ANALYSIS and not access.can_file_analysis(actor, council):
        raise PermissionError("analysis")
    if kind == Ground.Kind.PROPOSAL:
        is_member = access.has_role(actor, Role.COUNCIL_MEMBER, council.pk)
        if on_behalf_of is not None and on_behalf_of.pk == actor.pk:
            on_behalf_of = None
        if on_behalf_of is not None and not access.has_role(
            on_behalf_of, Role.COUNCIL_MEMBER, council.pk
        ):
            raise ValidationError(
                {"on_behalf_of": _("Choose a member of this council (Rules §5.1).")}
            )
        if on_behalf_of is None and not is_member:
            raise ValidationError(
                {
                    "on_behalf_of": _(
                        "Proposals come from council members (Rules §5.1): name the member on whose behalf you record it."
                    )
                }
            )
    else:
        on_behalf_of = None
    ground = Ground(
        kind=kind,
        council=council,
        year=year,
        framework=framework,
        sector_kk=sector_kk.strip(),
        sector_ru=sector_ru.strip(),
        justification=justification.strip(),
        findings=findings.strip(),
        created_by=actor,
        on_behalf_of=on_behalf_of,
    )
    ground.full_clean()
    _ground_clean(ground)
    ground.save()
    audit_record(
        actor=actor,
        action=f"sqf.ground.create.{kind}",
        obj=ground,
        organisation=council,
        changes={
            "year": year,
            "framework": framework.pk if framework else None,
            "on_behalf_of": on_behalf_of.pk if on_behalf_of else None,
        },
    )
    deadline_services.deadline_open(
        subject=ground,
        stage=Stage.GROUNDS,
        organisation=council if kind == Ground.Kind.PROPOSAL else council.state_body,
        start_date=dt.date(year, 12, 31),
        actor=actor,
        subject_label=f"{ground.get_kind_display()} {year}: {ground.target}"[:300],
    )
    return ground


def _locked_ground(ground: Ground, actor: User, revision: int | None = None) -> Ground:
    locked = Ground.objects.select_for_update().select_related("council").get(pk=ground.pk)
    if not access.can_edit_ground(actor, locked):
        raise PermissionError("ground")
    if revision is not None and locked.revision != revision:
        raise services.EditConflict(locked, {})
    return locked


@transaction.atomic
def ground_save(*, actor: User, ground: Ground, revision: int, **values: Any) -> Ground:
    locked = _locked_ground(ground, actor, revision)
    allowed = {"year", "framework", "sector_kk", "sector_ru", "justification", "findings"}
    changes = {}
    for name, value in values.items():
        if name not in allowed:
            raise ValueError(name)
        if isinstance(value, str):
            value = value.strip()
        if getattr(locked, name) != value:
            changes[name] = str(value)[:80]
            setattr(locked, name, value)
    locked.full_clean()
    _ground_clean(locked)
    locked.revision += 1
    locked.save()
    audit_record(
        actor=actor,
        action="sqf.ground.save",
        obj=locked,
        organisation=locked.council,
        changes=changes,
    )
    return locked


@transaction.atomic
def ground_row_add(
    *, actor: User, ground: Ground, current_text: str, proposed_text: str, reason: str
) -> GroundRow:
    locked = _locked_ground(ground, actor)
    row = GroundRow(
        ground=locked,
        order=locked.rows.count() + 1,
        current_text=current_text.strip(),
        proposed_text=proposed_text.strip(),
        reason=reason.strip(),
    )
    row.full_clean()
    row.save()
    audit_record(
        actor=actor,
        action="sqf.ground.row.add",
        obj=row,
        organisation=locked.council,
        changes={"proposed_text": row.proposed_text[:80]},
    )
    return row


@transaction.atomic
def ground_row_delete(*, actor: User, row: GroundRow) -> None:
    locked = _locked_ground(row.ground, actor)
    audit_record(
        actor=actor,
        action="sqf.ground.row.delete",
        obj=row,
        organisation=locked.council,
        changes={"proposed_text": row.proposed_text[:80]},
    )
    row.delete()


@transaction.atomic
def gap_add(*, actor: User, ground: Ground, oked: Node, coverage: str, note: str) -> GapFinding:
    locked = _locked_ground(ground, actor)
    if oked.edition.classifier != "oked":
        raise ValidationError({"oked": _("Pick an OKED code from the list (Rules §5.2).")})
    if locked.gaps.filter(oked=oked).exists():
        raise ValidationError({"oked": _("This OKED code is already in the analysis.")})
    gap = GapFinding(ground=locked, oked=oked, coverage=coverage, note=note.strip())
    gap.full_clean()
    gap.save()
    audit_record(
        actor=actor,
        action="sqf.ground.gap.add",
        obj=gap,
        organisation=locked.council,
        changes={"oked": oked.code, "coverage": coverage},
    )
    return gap


@transaction.atomic
def gap_delete(*, actor: User, gap: GapFinding) -> None:
    locked = _locked_ground(gap.ground, actor)
    audit_record(
        actor=actor,
        action="sqf.ground.gap.delete",
        obj=gap,
        organisation=locked.council,
        changes={"oked": gap.oked.code},
    )
    gap.delete()


def ground_problems(ground: Ground) -> list[str]:
    """What a ground still lacks before it can be filed (Rules §5)."""
    problems = []
    if not ground.justification.strip():
        problems.append(_("Write the justification (Rules §5.1)."))
    if ground.kind == Ground.Kind.PROPOSAL and not ground.rows.exists():
        problems.append(
            _(
                "Add at least one row to the comparative table: current text, proposed text, reason (Rules §5.1)."
            )
        )
    if ground.kind == Ground.Kind.ANALYSIS:
        if not ground.gaps.exists():
            problems.append(
                _(
                    "Name at least one sector (OKED code) that has no SQF or is not fully covered (Rules §5.2)."
                )
            )
        if not ground.findings.strip():
            problems.append(_("Write the findings of the analysis (Rules §5.2)."))
    return problems


@transaction.atomic
def ground_file(*, actor: User, ground: Ground, today: dt.date | None = None) -> Ground:
    """File the ground to the council; this stops its §6 clock (and, for a gap analysis, the
    state body's §6 clock of that year)."""
    today = today or timezone.localdate()
    locked = _locked_ground(ground, actor)
    problems = ground_problems(locked)
    if problems:
        raise ValidationError(problems)
    locked.status = Ground.Status.FILED
    locked.filed_at = timezone.now()
    locked.revision += 1
    locked.save()
    audit_record(
        actor=actor,
        action="sqf.ground.file",
        obj=locked,
        organisation=locked.council,
        changes={"status": locked.status},
    )
    clocks = [d for d in [_ground_deadline(locked)] if d]
    if locked.kind == Ground.Kind.ANALYSIS:
        # The state body's own §6 clock of that year (opened by the daily check).
        clocks += list(
            Deadline.objects.filter(
                content_type__app_label="councils",
                content_type__model="organisation",
                object_id=str(locked.council.state_body_id),
                stage=Stage.GROUNDS,
                start_date__year=locked.year,
                status__in=Deadline.ACTIVE,
            )
        )
    for clock in clocks:
        deadline_services.deadline_close(deadline=clock, completed_on=today, actor=actor)
    ground_id = locked.pk
    transaction.on_commit(lambda: notify.ground_filed(ground_id))
    return locked


def _body_clock_label(body: Organisation, year: int) -> str:
    return f"{body.short_name or body.name_ru}: {year}"


def grounds_year_clocks_open(*, today: dt.date | None = None) -> list[Deadline]:
    """Rules §6: "жыл сайын, талдау жүргізілген жылдан кейінгі жылдың 1-тоқсанынан
    кешіктірілмей". Open, once per year, each state body's clock for the year just ended
    (due 31 March, or the next working day), for every state body with a sectoral council
    to file to. Run by the daily check; idempotent: a body that already has that year's
    clock, in any status, gets none. A gap analysis of that year already filed closes the
    new clock at once as met on the day it was filed.

    The council sees the clock beside its own (deadlines are shown to the organisations
    that may open each other's work, councils/access.py)."""
    today = today or timezone.localdate()
    year = today.year - 1
    bodies = list(
        Organisation.objects.filter(
            kind=Organisation.Kind.STATE_BODY,
            is_active=True,
            councils__kind=Organisation.Kind.COUNCIL,
            councils__is_active=True,
        ).distinct()
    )
    if not bodies:
        return []
    existing = set(
        Deadline.objects.filter(
            content_type__app_label="councils",
            content_type__model="organisation",
            object_id__in=[str(b.pk) for b in bodies],
            stage=Stage.GROUNDS,
            start_date__year=year,
        ).values_list("object_id", flat=True)
    )
    filed = dict(
        Ground.objects.filter(
            kind=Ground.Kind.ANALYSIS,
            year=year,
            status__in=[Ground.Status.FILED, Ground.Status.DECIDED],
            council__state_body__in=bodies,
        )
        .order_by("-filed_at")
        .values_list("council__state_body_id", "filed_at")
    )
    opened: list[Deadline] = []
    calendar = deadline_services.work_calendar()
    for body in bodies:
        if str(body.pk) in existing:
            continue
        with transaction.atomic():
            clock = deadline_services.deadline_open(
                subject=body,
                stage=Stage.GROUNDS,
                organisation=body,
                start_date=dt.date(year, 12, 31),
                actor=None,
                subject_label=_body_clock_label(body, year),
                calendar=calendar,
            )
            if filed.get(body.pk):
                deadline_services.deadline_close(
                    deadline=clock, completed_on=timezone.localdate(filed[body.pk]), actor=None
                )
            else:
                opened.append(clock)
    if opened:
        deadlines_announce_opened(opened)
    return opened


# --- council decisions ------------------------------------------------------------------------


@dataclass
class Meeting:
    """What every council decision records from the protocol."""

    meeting_date: dt.date
    protocol_number: str
    votes_for: int
    votes_against: int
    votes_abstained: int
    comment: str = ""
    protocol_file: Any = None  # an uploaded file, or None


@dataclass
class ProtocolFile:
    content: bytes
    sha256: str


def protocol_read(upload: Any) -> ProtocolFile | None:
    """The attached protocol: a PDF under the size limit, read defensively."""
    if not upload:
        return None
    limit = settings.SQF_PROTOCOL_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            {
                "protocol_file": _(
                    "The protocol file is %(size)s MB; the limit is %(limit)s MB. Scan it at a lower resolution."
                )
                % {"size": round(upload.size / 1e6, 1), "limit": round(limit / 1e6)}
            }
        )
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError({"protocol_file": _("The protocol file is too large.")})
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-2048:]:
        raise ValidationError(
            {
                "protocol_file": _(
                    "The protocol must be a complete PDF file (it does not start with %PDF- or is cut short)."
                )
            }
        )
    return ProtocolFile(data, hashlib.sha256(data).hexdigest())


def _meeting_clean(meeting: Meeting, *, positive: bool, not_before: dt.date | None) -> None:
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if meeting.meeting_date > today:
        errors["meeting_date"] = [_("The meeting date cannot be in the future.")]
    elif not_before and meeting.meeting_date < not_before:
        errors["meeting_date"] = [
            _("The council cannot decide before the matter reached it (%(date)s).")
            % {"date": not_before.isoformat()}
        ]
    off = policy.switched_off()
    if not meeting.protocol_number.strip() and policy.DECISION_PROTOCOL_NUMBER not in off:
        errors["protocol_number"] = [_("Enter the protocol number (local policy).")]
    votes = (meeting.votes_for, meeting.votes_against, meeting.votes_abstained)
    if any(v < 0 for v in votes) or sum(votes) == 0:
        errors["votes_for"] = [_("Enter the votes as in the protocol; nobody voted?")]
    elif (
        positive
        and meeting.votes_for <= meeting.votes_against
        and policy.DECISION_MAJORITY not in off
    ):
        errors["votes_for"] = [
            _("This outcome needs more votes for than against; check the protocol (local policy).")
        ]
    if errors:
        raise ValidationError(errors)


def _decision_new(
    *, actor: User, council: Organisation, outcome: str, meeting: Meeting, **extra: Any
) -> Decision:
    protocol = protocol_read(meeting.protocol_file)
    decision = Decision(
        council=council,
        outcome=outcome,
        meeting_date=meeting.meeting_date,
        protocol_number=meeting.protocol_number.strip(),
        votes_for=meeting.votes_for,
        votes_against=meeting.votes_against,
        votes_abstained=meeting.votes_abstained,
        comment=meeting.comment.strip(),
        recorded_by=actor,
        **extra,
    )
    if protocol:
        # Content-addressed: a rolled-back decision leaves at most a file that the retry
        # reuses, never a decision pointing at a missing file.
        name = f"protocols/{council.pk}/{protocol.sha256}.pdf"
        storage = decision.protocol_file.storage
        if not storage.exists(name):
            name = storage.save(name, ContentFile(protocol.content))
        decision.protocol_file.name = name
        decision.protocol_sha256 = protocol.sha256
    decision.save()
    return decision


@dataclass
class UpdateReasonInput:
    """Rules §15: one ground for an update as the secretary enters it."""

    ground: str  # an UpdateGround value
    explanation: str
    codes: str = ""  # §15.2: "NKZ:2151, OKED:35.11" (a bare code is an NKZ code)


# How people write the classifier of a code (Latin, Russian and Kazakh abbreviations).
CODE_PREFIXES = {
    "nkz": "nkz",
    "нкз": "nkz",
    "ұкс": "nkz",
    "oked": "oked",
    "окэд": "oked",
    "эқжж": "oked",
    "isco": "isco08",
    "isco08": "isco08",
    "isco-08": "isco08",
    "мскз": "isco08",
}


def classifier_codes_parse(text: str) -> tuple[list[Node], list[str]]:
    """The nodes named by "NKZ:2151, OKED:35.11 …" in the current editions, and a message
    for each code that is not one (nothing is guessed)."""
    import re

    from classifiers.selectors import _normalise_code, current_editions

    editions = current_editions()
    nodes: list[Node] = []
    problems: list[str] = []
    for token in [t for t in re.split(r"[,;\s]+", text.strip()) if t]:
        prefix, _sep, code = token.rpartition(":")
        classifier = CODE_PREFIXES.get(prefix.strip().lower(), "") if prefix else "nkz"
        edition = editions.get(classifier)
        code = _normalise_code(code, classifier) if classifier else ""
        node = (
            Node.objects.select_related("edition").filter(edition=edition, code=code).first()
            if edition and code
            else None
        )
        if node is None:
            problems.append(
                _(
                    "‘%(code)s’ is not a code of the current NKZ, OKED or ISCO-08 edition; write it as NKZ:2151 or OKED:35.11 (Rules §15.2)."
                )
                % {"code": token[:40]}
            )
        elif node not in nodes:
            nodes.append(node)
    return nodes, problems


def _update_reasons_clean(
    reasons: list[UpdateReasonInput],
) -> tuple[list[tuple[UpdateReasonInput, list[Node]]], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    cleaned: list[tuple[UpdateReasonInput, list[Node]]] = []
    for reason in reasons:
        if reason.ground not in UpdateGround.values or reason.ground in seen:
            errors.setdefault("update_grounds", []).append(
                _("Choose each ground for the update once (Rules §15).")
            )
            continue
        seen.add(reason.ground)
        clause = UPDATE_GROUND_CLAUSES[reason.ground]
        if not reason.explanation.strip():
            errors.setdefault(f"explanation_{reason.ground}", []).append(
                _("Explain what changed (Rules §%(clause)s).") % {"clause": clause}
            )
        else:  # the model's limit (sbsh/limits.py TEXT), refused here for every caller
            try:
                UpdateReason._meta.get_field("explanation").run_validators(
                    reason.explanation.strip()
                )
            except ValidationError as exc:
                errors.setdefault(f"explanation_{reason.ground}", []).extend(exc.messages)
        nodes, problems = classifier_codes_parse(reason.codes)
        if reason.ground == UpdateGround.NKZ and not nodes and not problems:
            problems.append(
                _(
                    "Name the classifier codes concerned, e.g. NKZ:2151 (Rules §15.2: the NKZ classification changed)."
                )
            )
        if problems:
            errors.setdefault(
                "codes" if reason.ground == UpdateGround.NKZ else f"explanation_{reason.ground}", []
            ).extend(problems)
        cleaned.append((reason, nodes))
    if not reasons:
        errors["update_grounds"] = [
            _("Choose at least one ground for the update and explain it (Rules §15).")
        ]
    cleaned.sort(key=lambda pair: UPDATE_GROUND_CLAUSES[pair[0].ground])
    return cleaned, errors


@transaction.atomic
def decision_on_grounds(
    *,
    actor: User,
    council: Organisation,
    grounds: list[Ground],
    outcome: str,
    meeting: Meeting,
    framework: Framework | None = None,
    update_reasons: list[UpdateReasonInput] | None = None,
    sector_kk: str = "",
    sector_ru: str = "",
) -> Decision:
    """The council decides: develop a new SQF, update one, or decline.

    Develop and decline rest on filed §5 grounds. An update rests on one or more §15
    grounds, each explained (for §15.2 with the classifier codes concerned); filed §5
    grounds may be decided with it but are not needed (Rules §16 applies §7–§14 to an
    update, not §5–§6). Develop and update open a version in preparation with its §8
    clock (60 working days from the day of the decision); an update copies the
    published version's content.
    """
    if not access.can_record_decision(actor, council):
        raise PermissionError("decision")
    if outcome not in Decision.ON_GROUNDS:
        raise ValidationError({"outcome": _("Choose develop, update or decline.")})
    locked = list(
        Ground.objects.select_for_update().filter(pk__in=[g.pk for g in grounds]).order_by("pk")
    )
    if not locked and outcome != Decision.Outcome.UPDATE:
        raise ValidationError(
            {"grounds": _("Choose the grounds the council decided on (Rules §5).")}
        )
    bad = [g for g in locked if g.council_id != council.pk or g.status != Ground.Status.FILED]
    if bad:
        raise ValidationError(
            {"grounds": _("Only grounds filed to this council and not yet decided can be chosen.")}
        )
    filed = min((timezone.localdate(g.filed_at) for g in locked), default=None)
    _meeting_clean(meeting, positive=outcome != Decision.Outcome.DECLINE, not_before=filed)

    base: Version | None = None
    reasons: list[tuple[UpdateReasonInput, list[Node]]] = []
    if outcome == Decision.Outcome.UPDATE:
        errors: dict[str, list[str]] = {}
        if framework is None or framework.council_id != council.pk:
            errors["framework"] = [_("Choose the SQF of this council's sector to update.")]
        reasons, reason_errors = _update_reasons_clean(list(update_reasons or []))
        errors.update(reason_errors)
        if not errors:
            # Lock the SQF: two "update" decisions at once — the second sees the first's
            # version in preparation and is refused with this message, not a 500.
            list(Framework.objects.select_for_update().filter(pk=framework.pk).values_list("pk"))
            statuses = set(framework.versions.values_list("status", flat=True))
            base = framework.versions.filter(status=Version.Status.PUBLISHED).first()
            if statuses & IN_PROGRESS:
                errors["framework"] = [
                    _(
                        "This SQF already has a version in development; finish or withdraw it first (Rules §16)."
                    )
                ]
            elif base is None:
                errors["framework"] = [
                    _("Only a published SQF can be updated; this one has no published version.")
                ]
        if errors:
            raise ValidationError(errors)
    if outcome == Decision.Outcome.DEVELOP and not (sector_kk.strip() and sector_ru.strip()):
        raise ValidationError(
            {"sector_kk": _("Name the sector of the new SQF in Kazakh and Russian (Rules §8.2).")}
        )

    decision = _decision_new(
        actor=actor,
        council=council,
        outcome=outcome,
        meeting=meeting,
        framework=framework if outcome == Decision.Outcome.UPDATE else None,
        # The first §15 ground, for lists; all of them are the decision's update_reasons.
        update_ground=reasons[0][0].ground if reasons else "",
    )
    for reason, nodes in reasons:
        row = UpdateReason.objects.create(
            decision=decision, ground=reason.ground, explanation=reason.explanation.strip()
        )
        row.codes.set(nodes)
    decision.grounds.set(locked)
    Ground.objects.filter(pk__in=[g.pk for g in locked]).update(
        status=Ground.Status.DECIDED, revision=F("revision") + 1
    )
    opened: Version | None = None
    if outcome == Decision.Outcome.DEVELOP:
        new_framework, opened = services.framework_create(
            actor=actor,
            state_body=council.state_body,
            council=council,
            sector_kk=sector_kk.strip(),
            sector_ru=sector_ru.strip(),
            status=Version.Status.PREPARATION,
        )
        decision.framework = new_framework
    elif outcome == Decision.Outcome.UPDATE:
        from exports.content import content_import, document

        opened = services.version_create(
            actor=actor,
            framework=framework,
            updates=base,
            status=Version.Status.PREPARATION,
            update_ground=decision.update_ground,
        )
        content_import(version=opened, data=document(base), actor=actor)
    decision.opened_version = opened
    decision.save()
    audit_record(
        actor=actor,
        action=f"sqf.decision.{outcome}",
        obj=decision,
        organisation=council,
        changes={
            "grounds": [g.pk for g in locked],
            "meeting_date": str(meeting.meeting_date),
            "protocol": decision.protocol_number,
            "votes": [meeting.votes_for, meeting.votes_against, meeting.votes_abstained],
            "opened_version": opened.pk if opened else None,
            "update_grounds": {
                UPDATE_GROUND_CLAUSES[r.ground]: [f"{n.edition.classifier}:{n.code}" for n in nodes]
                for r, nodes in reasons
            },
        },
        scope=services.version_scope(opened) if opened else "",
    )
    if opened is not None:
        # Rules §8: the preparatory work within 60 working days after the decision.
        VersionTransition.objects.create(
            version=opened,
            name="open",
            source="",
            target=opened.status,
            actor=actor,
            comment=decision_comment(decision),
            clause="Rules §8",
        )
        deadline_services.deadline_open(
            subject=opened,
            stage=Stage.PREPARATION,
            organisation=council.state_body,
            start_date=meeting.meeting_date,
            actor=actor,
            subject_label=f"{opened.framework.sector_ru} v{opened.number}",
        )
    decision_id = decision.pk
    transaction.on_commit(lambda: notify.decision_recorded(decision_id))
    return decision


@transaction.atomic
def decision_on_draft(
    *,
    actor: User,
    version: Version,
    outcome: str,
    meeting: Meeting,
    recommendations: list[str] | None = None,
) -> Decision:
    """Rules §12–§13: the council approves the submitted draft or returns it with
    recommendations. The move itself goes through the workflow, dated by the meeting."""
    from exports.content import version_content
    from sbsh import workflow

    council = version.framework.council
    if not access.can_record_decision(actor, council):
        raise PermissionError("decision")
    if outcome not in Decision.ON_DRAFT:
        raise ValidationError({"outcome": _("Choose approve or return with recommendations.")})
    texts = [t.strip() for t in (recommendations or []) if t and t.strip()]
    if outcome == Decision.Outcome.RETURN and not texts:
        raise ValidationError(
            {
                "recommendations": _(
                    "Write at least one recommendation for the revision (Rules §13)."
                )
            }
        )
    # The council cannot decide before the draft reached it: the day its clock started.
    received = (
        Deadline.objects.filter(
            content_type__app_label="sbsh",
            content_type__model="version",
            object_id=str(version.pk),
            stage__in=[Stage.REVIEW, Stage.RE_REVIEW],
        )
        .order_by("-id")
        .values_list("start_date", flat=True)
        .first()
    )
    _meeting_clean(meeting, positive=outcome == Decision.Outcome.APPROVE, not_before=received)
    decision = _decision_new(
        actor=actor,
        council=council,
        outcome=outcome,
        meeting=meeting,
        version=version,
        framework=version.framework,
    )
    if outcome == Decision.Outcome.RETURN:
        decision.snapshot = review_snapshot(version, content=version_content(version))
        decision.save(update_fields=["snapshot"])
        Recommendation.objects.bulk_create(
            [
                Recommendation(decision=decision, version=version, order=i, text=text)
                for i, text in enumerate(texts, 1)
            ]
        )
    audit_record(
        actor=actor,
        action=f"sqf.decision.{outcome}",
        obj=decision,
        organisation=council,
        changes={
            "version": version.pk,
            "meeting_date": str(meeting.meeting_date),
            "protocol": decision.protocol_number,
            "votes": [meeting.votes_for, meeting.votes_against, meeting.votes_abstained],
            "recommendations": len(texts),
        },
        scope=services.version_scope(version),
    )
    name = "approve" if outcome == Decision.Outcome.APPROVE else "return_for_revision"
    comment = "\n".join(f"{i}. {t}" for i, t in enumerate(texts, 1)) or decision_comment(decision)
    workflow.version_transition(
        actor=actor,
        version=version,
        name=name,
        comment=comment,
        today=meeting.meeting_date,
        decision=decision,
        # Rules §12–§13: the council "жібереді" its recommendations; the state body's five
        # days run from the day it receives them: recording them here sends them (the
        # state body is notified at once), so the revision clock starts today, not on the
        # meeting day. An approval starts §14 on the day of the approval itself.
        clock_start=timezone.localdate() if outcome == Decision.Outcome.RETURN else None,
    )
    return decision


def review_snapshot(version: Version, *, content: dict[str, Any]) -> dict[str, Any]:
    """The content as the council returned it, with row identities for the diff (Rules §13)."""
    from sbsh import selectors

    return {
        "content": content,
        "ids": {
            "standards": [s.pk for s in selectors.standards(version)],
            "table1": [r.pk for r in selectors.table1_rows(version)],
            "table3": [r.pk for r in selectors.table3_rows(version)],
        },
    }


# --- answers to recommendations (Rules §13) -------------------------------------------------------


@transaction.atomic
def recommendation_answer(
    *, actor: User, recommendation: Recommendation, revision: int, answer: str, text: str
) -> Recommendation:
    locked = (
        Recommendation.objects.select_for_update()
        .select_related("version__framework")
        .get(pk=recommendation.pk)
    )
    if not access.can_answer_recommendations(actor, locked.version):
        raise PermissionError("recommendation")
    latest = (
        Decision.objects.filter(version_id=locked.version_id, outcome=Decision.Outcome.RETURN)
        .order_by("-recorded_at", "-id")
        .values_list("pk", flat=True)
        .first()
    )
    if locked.decision_id != latest:
        raise ValidationError(
            {
                "answer": _(
                    "Only the recommendations of the council's latest return can be answered; the council has already considered this one (Rules §13)."
                )
            }
        )
    if locked.revision != revision:
        raise services.EditConflict(locked, {})
    if answer not in (Recommendation.Answer.ACCEPTED, Recommendation.Answer.REJECTED):
        raise ValidationError({"answer": _("Choose accepted or rejected (Rules §13).")})
    if answer == Recommendation.Answer.REJECTED and not text.strip():
        raise ValidationError(
            {"answer_text": _("Give the reason for rejecting the recommendation (Rules §13).")}
        )
    if answer == Recommendation.Answer.ACCEPTED and not text.strip():
        raise ValidationError(
            {"answer_text": _("Say briefly what was changed and where (Rules §13).")}
        )
    locked.answer = answer
    locked.answer_text = text.strip()
    locked.answered_by = actor
    locked.answered_at = timezone.now()
    locked.revision += 1
    locked.save()
    audit_record(
        actor=actor,
        action="sqf.recommendation.answer",
        obj=locked,
        organisation=locked.version.framework.state_body,
        changes={"answer": answer, "text": locked.answer_text[:80]},
        scope=services.version_scope(locked.version_id),
    )
    return locked


def open_recommendations(version: Version) -> list[Recommendation]:
    """The recommendations of the council's latest return that are not answered yet."""
    latest = (
        Decision.objects.filter(version=version, outcome=Decision.Outcome.RETURN)
        .order_by("-recorded_at", "-id")
        .first()
    )
    if latest is None:
        return []
    return list(latest.recommendations.filter(answer=Recommendation.Answer.PENDING))
