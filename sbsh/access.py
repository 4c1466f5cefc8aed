"""Who may see or do what on an SQF, its versions, grounds and decisions (councils/access.py
holds the rules about organisations and people; these build on them).

Rules §4, §7: the state body develops its SQF, with the working group it involves;
Rules §12–§13: the council reviews drafts of its own sector; Rules §14: the national
body receives them. Editing is allowed only while the version is being drafted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from councils.access import (
    Action,
    grants,
    has_role,
    is_administrator,
    is_national_officer,
    organisation_ids,
)
from councils.models import Organisation, Role
from sbsh.models import Framework, Ground, Version, WorkingGroupMember

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from councils.models import User

    AnyUser = User | AnonymousUser


# --- SQFs (sbsh) ---------------------------------------------------------------------------
# Rules §4, §7: the state body develops its SQF, with the working group it involves;
# Rules §12–§13: the council reviews drafts of its own sector; Rules §14: the national
# body receives them. Editing is allowed only while the version is being drafted.

EDITABLE_STATUSES = {"preparation", "drafting", "revision"}


# Rules §7: a working-group participant is drawn in for one SQF, not for the ministry: the
# role at the state body lets them work only on versions whose working group lists them.
FULL_ROLES = (Role.MINISTRY_STAFF, Role.COUNCIL_MEMBER, Role.COUNCIL_SECRETARY)


def working_group_version_ids(user: AnyUser) -> set[int]:
    """The versions whose working group lists `user` (read once per request)."""
    if not user.is_authenticated or not user.is_active:
        return set()
    cached: set[int] | None = getattr(user, "_sqf_wg_versions", None)
    if cached is None:
        cached = set(
            WorkingGroupMember.objects.filter(user=user).values_list("version_id", flat=True)
        )
        user._sqf_wg_versions = cached  # type: ignore[union-attr]
    return cached


def working_group_framework_ids(user: AnyUser) -> set[int]:
    if not working_group_version_ids(user):
        return set()
    return set(
        Version.objects.filter(pk__in=working_group_version_ids(user)).values_list(
            "framework_id", flat=True
        )
    )


def can_view_framework(user: AnyUser, framework: object) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if is_administrator(user) or is_national_officer(user):
        return True
    mine = organisation_ids(user, roles_=FULL_ROLES)
    if framework.state_body_id in mine or framework.council_id in mine:  # type: ignore[attr-defined]
        return True
    return framework.pk in working_group_framework_ids(user)  # type: ignore[attr-defined]


def can_edit_framework(user: AnyUser, framework: object) -> bool:
    """The state body's staff (Rules §4). Working-group participants edit per version."""
    return has_role(user, Role.MINISTRY_STAFF, framework.state_body_id)  # type: ignore[attr-defined]


def in_working_group(user: AnyUser, version: object) -> bool:
    """Rules §7: `user` participates in this version's working group for its state body."""
    return has_role(
        user,
        Role.WORKING_GROUP,
        version.framework.state_body_id,  # type: ignore[attr-defined]
    ) and version.pk in working_group_version_ids(user)  # type: ignore[attr-defined]


def can_edit_version(user: AnyUser, version: object) -> bool:
    return version.status in EDITABLE_STATUSES and (  # type: ignore[attr-defined]
        can_edit_framework(user, version.framework)  # type: ignore[attr-defined]
        or in_working_group(user, version)
    )


def can_manage_working_group(user: AnyUser, version: object) -> bool:
    """Rules §7: the state body draws the working group in; its staff add and remove."""
    return can_edit_framework(user, version.framework)  # type: ignore[attr-defined]


def frameworks_for_user(user: AnyUser) -> QuerySet:
    qs = Framework.objects.select_related("state_body", "council")
    if is_administrator(user) or is_national_officer(user):
        return qs
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    mine = organisation_ids(user, roles_=FULL_ROLES)
    return qs.filter(
        Q(state_body_id__in=mine)
        | Q(council_id__in=mine)
        | Q(pk__in=working_group_framework_ids(user))
    )


def sqf_version_for_user(user: AnyUser, pk: int, *, action: Action) -> object:
    """The version `pk` if `user` may view it (Action.VIEW) or edit it (Action.MANAGE).

    404 when it does not exist, 403 when the user may not; editing a version that is
    not being drafted is refused with 403 as well (the workflow decides when).
    """
    version = get_object_or_404(
        Version.objects.select_related("framework", "framework__state_body", "framework__council"),
        pk=pk,
    )
    allowed = (
        can_view_framework(user, version.framework)
        if action == Action.VIEW
        else can_edit_version(user, version)
    )
    if not allowed:
        raise PermissionDenied
    return version


# --- grounds, decisions, review (Rules §5–§6, §12–§13) ---------------------------------------
# A council member files proposals to the council (§5.1); the state body's staff file the
# gap analysis to the council they report to (§5.2); the council's secretary records its
# decisions; council members and the state body's people comment on drafts of the sector.


COUNCIL_ROLES = (Role.COUNCIL_MEMBER, Role.COUNCIL_SECRETARY)


def can_file_proposal(user: AnyUser, council: Organisation) -> bool:
    return any(
        g.organisation_id == council.pk and g.role in (Role.COUNCIL_MEMBER, Role.COUNCIL_SECRETARY)
        for g in grants(user)
    )


def can_file_analysis(user: AnyUser, council: Organisation) -> bool:
    return has_role(user, Role.MINISTRY_STAFF, council.state_body_id)


def can_record_decision(user: AnyUser, council: Organisation | int) -> bool:
    council_id = council if isinstance(council, int) else council.pk
    return has_role(user, Role.COUNCIL_SECRETARY, council_id)


def councils_for_grounds(user: AnyUser) -> QuerySet[Organisation]:
    """The councils the user may file a ground to."""
    member_of = organisation_ids(user, roles_=[Role.COUNCIL_MEMBER, Role.COUNCIL_SECRETARY])
    staff_of = organisation_ids(user, roles_=[Role.MINISTRY_STAFF])
    return Organisation.objects.filter(
        Q(pk__in=member_of) | Q(state_body_id__in=staff_of),
        kind=Organisation.Kind.COUNCIL,
        is_active=True,
    ).order_by("name_ru")


def can_view_ground(user: AnyUser, ground: object) -> bool:
    """The author; the council it was filed to (once filed); its state body's staff."""
    if not user.is_authenticated or not user.is_active:
        return False
    if ground.created_by_id == user.pk or is_administrator(user):  # type: ignore[attr-defined]
        return True
    if ground.status == "draft":  # type: ignore[attr-defined]
        return False
    council = ground.council  # type: ignore[attr-defined]
    return council.pk in organisation_ids(user, roles_=COUNCIL_ROLES) or has_role(
        user, Role.MINISTRY_STAFF, council.state_body_id
    )


def can_edit_ground(user: AnyUser, ground: object) -> bool:
    return ground.status == "draft" and ground.created_by_id == user.pk and user.is_active  # type: ignore[attr-defined]


def grounds_for_user(user: AnyUser) -> QuerySet:
    qs = Ground.objects.select_related("council", "framework", "created_by")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if is_administrator(user):
        return qs
    councils = organisation_ids(user, roles_=COUNCIL_ROLES)
    bodies = organisation_ids(user, roles_=[Role.MINISTRY_STAFF])
    return qs.filter(
        Q(created_by=user)
        | (~Q(status="draft") & (Q(council_id__in=councils) | Q(council__state_body_id__in=bodies)))
    )


def ground_for_user(user: AnyUser, pk: int, *, action: Action) -> object:
    ground = get_object_or_404(
        Ground.objects.select_related("council", "framework", "created_by"), pk=pk
    )
    allowed = (
        can_view_ground(user, ground) if action == Action.VIEW else can_edit_ground(user, ground)
    )
    if not allowed:
        raise PermissionDenied
    return ground


COMMENTING_STATUSES = {"preparation", "drafting", "council_review", "revision", "re_review"}


def can_comment(user: AnyUser, version: object) -> bool:
    """Council members and secretary of the sector; the state body's staff and working group."""
    if version.status not in COMMENTING_STATUSES:  # type: ignore[attr-defined]
        return False
    framework = version.framework  # type: ignore[attr-defined]
    return any(
        (g.organisation_id == framework.council_id and g.role in COUNCIL_ROLES)
        or (g.organisation_id == framework.state_body_id and g.role == Role.MINISTRY_STAFF)
        for g in grants(user)
    ) or in_working_group(user, version)


def can_answer_recommendations(user: AnyUser, version: object) -> bool:
    """Rules §13: the state body answers the council's recommendations while revising."""
    return version.status == "revision" and has_role(  # type: ignore[attr-defined]
        user,
        Role.MINISTRY_STAFF,
        version.framework.state_body_id,  # type: ignore[attr-defined]
    )


def can_view_decision(user: AnyUser, decision: object) -> bool:
    """The council's people, its state body's staff, the national body, administrators."""
    if not user.is_authenticated or not user.is_active:
        return False
    if is_administrator(user) or is_national_officer(user):
        return True
    council = decision.council  # type: ignore[attr-defined]
    return council.pk in organisation_ids(user, roles_=COUNCIL_ROLES) or has_role(
        user, Role.MINISTRY_STAFF, council.state_body_id
    )


# --- Signers of the hand-over documents ---------------------------------------------------


def mask_iin(iin: str) -> str:
    """An IIN as audit texts and messages may show it: the last four digits only."""
    return f"••••••••{iin[-4:]}" if iin else ""


def may_see_signer_iin(user: AnyUser, version: Version) -> bool:
    """Signers' IINs and the .cms files that carry them are for the state body's staff
    (who hand the documents over) and the national body (which receives them) only —
    not the council, nor the working group (Rules §14; Law 94-V on personal data)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return (
        is_national_officer(user)
        or is_administrator(user)
        or has_role(user, Role.MINISTRY_STAFF, version.framework.state_body_id)
    )
