from __future__ import annotations

from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class SbshConfig(AppConfig):
    name = "sbsh"
    verbose_name = _("Sectoral qualification frameworks")

    def ready(self) -> None:
        from councils.audit_labels import register_words
        from deadlines.selectors import subject_visibility

        # sbsh answers the deadlines' daily check (Rules §6) and an edition's load (§15.2).
        from sbsh import (
            access,
            receivers,  # noqa: F401
        )
        from sbsh.workflow import effects
        from sbsh.workflow.audit_words import action_words

        # The moves' own effects; the apps above register theirs (exports: the documents).
        effects.register_own()
        checks.register(effects.effects_missing)
        # Rules §6: a ground's clock is seen only by those who may see the ground.
        subject_visibility("sbsh", "ground", access.grounds_for_user)
        # The history names moves, decisions' outcomes and grounds' kinds in words.
        register_words(action_words)
