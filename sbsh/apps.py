from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SbshConfig(AppConfig):
    name = "sbsh"
    verbose_name = _("Sectoral qualification frameworks")

    def ready(self) -> None:
        # sbsh answers the deadlines' daily check (Rules §6) and an edition's load (§15.2).
        from sbsh import receivers  # noqa: F401
