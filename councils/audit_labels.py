"""Audit action codes in words, in the reader's language.

The audit trail stores stable codes ("sqf.part.save"); the history and audit pages show
what happened ("saved a narrative part") instead. An unknown code falls back to a neutral
phrase so a raw code never reaches the page.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "sqf.create": _("created the SQF"),
    "sqf.version.create": _("opened a new version"),
    "sqf.version.supersede": _("replaced the published version by a newer one"),
    "sqf.passport.save": _("saved the name and passport"),
    "sqf.part.save": _("saved a narrative part"),
    "sqf.language.confirm": _("confirmed that the other language is up to date"),
    "sqf.standard.create": _("added a professional standard"),
    "sqf.standard.save": _("edited a professional standard"),
    "sqf.standard.delete": _("deleted a professional standard"),
    "sqf.table1.create": _("added a level to Table 1"),
    "sqf.table1.save": _("edited a level of Table 1"),
    "sqf.table1.move": _("moved a level of Table 1"),
    "sqf.table1.delete": _("deleted a level of Table 1"),
    "sqf.table2.add": _("placed an occupation in Table 2"),
    "sqf.table2.delete": _("removed an occupation from Table 2"),
    "sqf.table2.link": _("added a career move to Table 2"),
    "sqf.table2.unlink": _("removed a career move from Table 2"),
    "sqf.table3.create": _("added a row to Table 3"),
    "sqf.table3.save": _("edited a row of Table 3"),
    "sqf.table3.delete": _("deleted a row of Table 3"),
    "sqf.comment.add": _("posted a review comment"),
    "sqf.comment.resolve": _("resolved a review comment"),
    "sqf.comment.reopen": _("reopened a review comment"),
    "sqf.recommendation.answer": _("answered a recommendation of the council"),
    "sqf.signature.add": _("signed a hand-over document (ЭЦП)"),
    "sqf.signature.refused": _("a signature was refused"),
    "sqf.ground.save": _("saved grounds"),
    "sqf.ground.file": _("filed grounds to the council"),
    "sqf.ground.row.add": _("added a row to the comparative table"),
    "sqf.ground.row.delete": _("deleted a row of the comparative table"),
    "sqf.ground.gap.add": _("added a sector to the gap analysis"),
    "sqf.ground.gap.delete": _("deleted a sector from the gap analysis"),
    "document.request": _("asked for a document (PDF, DOCX or JSON)"),
    "demo.publish": _("published (demo data)"),
    "user.create": _("created a user"),
    "user.update": _("edited a user"),
    "organisation.create": _("created an organisation"),
    "organisation.update": _("edited an organisation"),
    "membership.grant": _("gave a role"),
    "membership.update": _("changed a role"),
    "membership.revoke": _("took a role away"),
    "auth.mfa.enrol": _("turned on two-step sign-in"),
    "auth.mfa.failed": _("entered a wrong two-step sign-in code"),
    "auth.mfa.reset": _("reset two-step sign-in"),
    "auth.mfa.recovery_used": _("signed in with a recovery code"),
    "auth.mfa.recovery_renew": _("made new recovery codes"),
    "notification.read": _("read notifications"),
    "feed.regenerate": _("made a new calendar address"),
    "deadline.open": _("a deadline started"),
    "deadline.close": _("a deadline was closed"),
    "deadline.recompute": _("deadlines were recounted"),
    "classifier.upload": _("uploaded a classifier file"),
    "classifier.load": _("loaded a classifier edition"),
    "classifier.node.skill_level": _("set a skill level in a classifier"),
    "crosswalk.seed": _("filled the ISCO-08 ↔ NKZ crosswalk"),
    "crosswalk.import": _("imported the ISCO-08 ↔ NKZ crosswalk"),
    "crosswalk.create": _("added a crosswalk link"),
    "crosswalk.delete": _("deleted a crosswalk link"),
    "calendar.import": _("imported calendar exceptions"),
    "calendar.year.update": _("edited a calendar year"),
    "calendar.year_from_package": _("filled a calendar year from the holidays package"),
    "calendar.exception.delete": _("deleted a calendar exception"),
}
PREFIXES = {
    "sqf.version.": _("moved the version: %(what)s"),
    "sqf.decision.": _("recorded the council's decision: %(what)s"),
    "sqf.ground.create.": _("started grounds: %(what)s"),
    "calendar.exception.": _("edited a calendar exception"),
}


def action_label(code: str) -> str:
    if code in ACTIONS:
        return str(ACTIONS[code])
    for prefix, template in PREFIXES.items():
        if code.startswith(prefix):
            what = code[len(prefix) :]
            if "%(what)s" not in str(template):
                return str(template)
            return str(template) % {"what": _move_word(prefix, what)}
    return gettext("recorded a change")


# Words for the object of an action code ("sqf.version.<move>", "sqf.decision.<outcome>"),
# from the app that owns the codes: sbsh registers its moves, outcomes and ground kinds.
WORDS: list[Callable[[str, str], str | None]] = []


def register_words(words: Callable[[str, str], str | None]) -> None:
    WORDS.append(words)


def _move_word(prefix: str, what: str) -> str:
    for words in WORDS:
        word = words(prefix, what)
        if word:
            return word
    return what.replace("_", " ")
