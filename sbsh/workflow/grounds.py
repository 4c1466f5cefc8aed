"""Grounds for developing or updating an SQF (Rules §4–§6): proposals and gap analyses, their
rows and findings, filing them with the council, and each year's clock of each state body."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
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
from sbsh import access as sqf_access
from sbsh.document import services
from sbsh.models import (
    Framework,
    GapFinding,
    Ground,
    GroundRow,
)
from sbsh.workflow import notify

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
    if kind == Ground.Kind.PROPOSAL and not sqf_access.can_file_proposal(actor, council):
        raise PermissionError("proposal")
    if kind == Ground.Kind.ANALYSIS and not sqf_access.can_file_analysis(actor, council):
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
    if not sqf_access.can_edit_ground(actor, locked):
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
