from __future__ import annotations

from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class SbshConfig(AppConfig):
    name = "sbsh"
    verbose_name = _("Sectoral qualification frameworks")

    def ready(self) -> None:
        from sbsh.workflow import effects

        # The moves' own effects; the apps above register theirs (exports: the documents).
        effects.register_own()
        checks.register(effects.effects_missing)
