"""A minimal RFC 5545 calendar of deadlines (all-day events on the due date)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from deadlines.models import Deadline


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r", "")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    # Lines longer than 75 octets are folded (RFC 5545 §3.1), never inside a character.
    out, current = [], ""
    for char in line:
        if len((current + char).encode("utf-8")) > 75:
            out.append(current)
            current = " " + char
        else:
            current += char
    out.append(current)
    return "\r\n".join(out)


def calendar_for(deadlines: list[Deadline], *, host: str, now: dt.datetime) -> str:
    stamp = now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//SQF workbench//deadlines//KK",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(_('SQF deadlines'))}",
    ]
    for d in deadlines:
        summary = _("Rules %(clause)s: %(subject)s") % {
            "clause": d.clause,
            "subject": d.subject_label,
        }
        lines += [
            "BEGIN:VEVENT",
            f"UID:deadline-{d.pk}@{host.split(':')[0]}",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{d.due_date:%Y%m%d}",
            f"DTEND;VALUE=DATE:{d.due_date + dt.timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_escape(summary)}",
            f"DESCRIPTION:{_escape(d.stage_label + ' — ' + d.organisation.name)}",
            "STATUS:CONFIRMED",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
