"""Texts the workbench writes itself (move comments), stored as a message id with its
parameters and put into words only when shown, in the reader's language.

A council decision recorded in the Russian interface used to leave "№12 …: обновить ОРК"
in the move log, which Kazakh readers then saw in Russian. Now the log keeps
`sys:{"id": "decision", …}` and `system_text()` renders it for whoever reads it. A comment
a person typed is stored and shown as typed.
"""

from __future__ import annotations

import contextlib
import json

from django.utils.translation import gettext_lazy as _

PREFIX = "sys:"
TEXTS = {
    "decision": _("Council decision, protocol №%(protocol)s of %(date)s: %(outcome)s"),
    "demo.published_before": _("Demo: published before the workbench was in use."),
}


def system_comment(message_id: str, **params: str) -> str:
    """What to store for a system-written comment."""
    if message_id not in TEXTS:
        raise KeyError(message_id)
    return PREFIX + json.dumps({"id": message_id, **params}, ensure_ascii=False, sort_keys=True)


def decision_comment(decision: object) -> str:
    return system_comment(
        "decision",
        protocol=decision.protocol_number,
        date=decision.meeting_date.isoformat(),
        outcome=decision.outcome,
    )


def system_text(stored: str) -> str:
    """A stored comment in the reader's language (people's own comments unchanged)."""
    if not stored or not stored.startswith(PREFIX):
        return stored
    try:
        data = json.loads(stored[len(PREFIX) :])
        template = TEXTS[data.pop("id")]
    except (ValueError, KeyError, TypeError):
        return stored
    if "outcome" in data:
        from sbsh.models import Decision

        with contextlib.suppress(ValueError):
            data["outcome"] = str(Decision.Outcome(data["outcome"]).label)
    try:
        return str(template) % data
    except (KeyError, TypeError, ValueError):
        return str(template)
