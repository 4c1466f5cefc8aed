"""Who is told what after each step of the Rules (in-app and e-mail).

Run after commit. Messages are stored as their English message ids and translated when
read, so every reader sees them in their own language. Where the step started a clock,
the notification of the people who run that clock carries it (due date, working days).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_noop

from councils.models import Membership, Role
from deadlines.models import Deadline, Notification

STATE_BODY = "state_body"
COUNCIL = "council"
NATIONAL = "national_body"

# Move → (message, who is told: (organisation, roles)).
MOVE_NOTICES: dict[str, tuple[str, list[tuple[str, tuple[str, ...]]]]] = {
    "finish_preparation": (
        gettext_noop("The preparatory work is finished; drafting has started (Rules §11)."),
        [(STATE_BODY, (Role.MINISTRY_STAFF, Role.WORKING_GROUP))],
    ),
    "submit": (
        gettext_noop("A draft SQF was submitted to the council for approval (Rules §12)."),
        [(COUNCIL, (Role.COUNCIL_SECRETARY, Role.COUNCIL_MEMBER))],
    ),
    "return_for_revision": (
        gettext_noop("The council returned the draft with recommendations (Rules §13)."),
        [(STATE_BODY, (Role.MINISTRY_STAFF, Role.WORKING_GROUP))],
    ),
    "resubmit": (
        gettext_noop("The revised draft was resubmitted to the council (Rules §13)."),
        [(COUNCIL, (Role.COUNCIL_SECRETARY, Role.COUNCIL_MEMBER))],
    ),
    "approve": (
        gettext_noop(
            "The council approved the SQF; send it to the national body in Kazakh and Russian (Rules §14)."
        ),
        [(STATE_BODY, (Role.MINISTRY_STAFF,)), (COUNCIL, (Role.COUNCIL_MEMBER,))],
    ),
    "send": (
        gettext_noop("An approved SQF was handed over to the national body (Rules §14)."),
        [(NATIONAL, (Role.NATIONAL_OFFICER,))],
    ),
    "receive": (
        gettext_noop("The national body acknowledged receipt of the SQF (Rules §14)."),
        [(STATE_BODY, (Role.MINISTRY_STAFF,))],
    ),
    "return_handover": (
        gettext_noop(
            "The national body returned the hand-over: a file is missing or damaged; send it again (Rules §14)."
        ),
        [(STATE_BODY, (Role.MINISTRY_STAFF,))],
    ),
    "publish": (
        gettext_noop("The SQF was published on the SQF platform (Rules §14)."),
        [
            (STATE_BODY, (Role.MINISTRY_STAFF, Role.WORKING_GROUP)),
            (COUNCIL, (Role.COUNCIL_SECRETARY, Role.COUNCIL_MEMBER)),
        ],
    ),
    "withdraw": (
        gettext_noop("The state body withdrew the draft SQF."),
        [
            (STATE_BODY, (Role.MINISTRY_STAFF, Role.WORKING_GROUP)),
            (COUNCIL, (Role.COUNCIL_SECRETARY, Role.COUNCIL_MEMBER)),
        ],
    ),
}

GROUND_FILED = gettext_noop("A ground for an SQF was filed to the council (Rules §5).")
DECISION_NOTICES = {
    "develop": gettext_noop(
        "The council decided to develop a new SQF; the preparatory work has started (Rules §8)."
    ),
    "update": gettext_noop(
        "The council decided to update the SQF; the preparatory work has started (Rules §15–§16)."
    ),
    "decline": gettext_noop("The council declined the grounds."),
}


def _people(organisation_ids_by_roles: list[tuple[int | None, tuple[str, ...]]]) -> dict[int, int]:
    """user id → organisation id through which they are told."""
    people: dict[int, int] = {}
    for org_id, roles in organisation_ids_by_roles:
        if org_id is None:
            continue
        for user_id in Membership.objects.filter(
            organisation_id=org_id, role__in=roles, user__is_active=True
        ).values_list("user_id", flat=True):
            people.setdefault(user_id, org_id)
    return people


def _send(
    people: dict[int, int],
    *,
    message: str,
    subject: str | dict[str, str],
    url: str,
    actor: str,
    deadline: Deadline | None,
) -> list[int]:
    """subject: a text, or the SQF's name per language ({"kk": …, "ru": …}) so that each
    reader sees it in theirs (Notification.subject_text)."""
    from deadlines.tasks import email_notifications

    rows = [
        Notification(
            recipient_id=user_id,
            event=Notification.Event.MOVED,
            deadline=deadline if deadline and deadline.organisation_id == org_id else None,
            payload={"message": message, "url": url, "actor": actor, **_subject(subject)},
        )
        for user_id, org_id in sorted(people.items())
    ]
    # PostgreSQL and SQLite both return the new keys.
    ids = [n.pk for n in Notification.objects.bulk_create(rows)]
    if ids:
        email_notifications.delay(ids)
    return ids


def _subject(subject: str | dict[str, str]) -> dict[str, str]:
    if isinstance(subject, str):
        return {"subject": subject}
    return {
        "subject": subject.get("ru") or subject.get("kk", ""),
        **{f"subject_{lang}": text for lang, text in subject.items()},
    }


def _sector(framework: object, suffix: str = "") -> dict[str, str]:
    return {
        "kk": f"{framework.sector_kk or framework.sector_ru}{suffix}",
        "ru": f"{framework.sector_ru or framework.sector_kk}{suffix}",
    }


def _national_body_id() -> int | None:
    from councils.models import Organisation

    return (
        Organisation.objects.filter(kind=Organisation.Kind.NATIONAL_BODY)
        .values_list("pk", flat=True)
        .first()
    )


def transition(transition_id: int, deadline_id: int | None = None) -> list[int]:
    from sbsh.models import VersionTransition

    log = (
        VersionTransition.objects.filter(pk=transition_id)
        .select_related("version__framework", "actor")
        .first()
    )
    if log is None or log.name not in MOVE_NOTICES:
        return []
    message, audiences = MOVE_NOTICES[log.name]
    framework = log.version.framework
    orgs = {
        STATE_BODY: framework.state_body_id,
        COUNCIL: framework.council_id,
        NATIONAL: _national_body_id() if any(o == NATIONAL for o, _r in audiences) else None,
    }
    people = _people([(orgs[org], roles) for org, roles in audiences])
    people.pop(log.actor_id, None)  # the person who moved knows
    deadline = Deadline.objects.filter(pk=deadline_id).first() if deadline_id else None
    return _send(
        people,
        message=message,
        subject=_sector(framework, f" · v{log.version.number}"),
        url=reverse("sbsh:overview", args=[log.version_id]),
        actor=str(log.actor),  # the person's full name (User.__str__), not the login
        deadline=deadline,
    )


def ground_filed(ground_id: int) -> list[int]:
    from sbsh.models import Ground

    ground = Ground.objects.filter(pk=ground_id).select_related("created_by").first()
    if ground is None:
        return []
    people = _people([(ground.council_id, (Role.COUNCIL_SECRETARY,))])
    people.pop(ground.created_by_id, None)
    return _send(
        people,
        message=GROUND_FILED,
        subject=f"{ground.year}: {ground.target}",
        url=reverse("sbsh:ground", args=[ground.pk]),
        actor=str(ground.created_by),
        deadline=None,
    )


def decision_recorded(decision_id: int) -> list[int]:
    from sbsh.models import Decision

    decision = (
        Decision.objects.filter(pk=decision_id)
        .select_related("council", "recorded_by", "opened_version__framework")
        .first()
    )
    if decision is None or decision.outcome not in DECISION_NOTICES:
        return []
    people = _people([(decision.council.state_body_id, (Role.MINISTRY_STAFF,))])
    for author in decision.grounds.values_list("created_by_id", flat=True):
        people.setdefault(author, decision.council_id)
    people.pop(decision.recorded_by_id, None)
    deadline = None
    if decision.opened_version_id:
        deadline = Deadline.objects.filter(
            content_type__model="version",
            object_id=str(decision.opened_version_id),
            status__in=Deadline.ACTIVE,
        ).first()
        url = reverse("sbsh:overview", args=[decision.opened_version_id])
    else:
        url = reverse("sbsh:decision", args=[decision.pk])
    subject: str | dict[str, str] = f"№{decision.protocol_number}"
    if decision.opened_version_id:
        subject = _sector(decision.opened_version.framework)
    return _send(
        people,
        message=DECISION_NOTICES[decision.outcome],
        subject=subject,
        url=url,
        actor=str(decision.recorded_by),
        deadline=deadline,
    )
