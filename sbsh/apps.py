from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SbshConfig(AppConfig):
    name = "sbsh"
    verbose_name = _("Sectoral qualification frameworks")

    def ready(self) -> None:
        # sbsh answers a classifier edition's load (Rules §15.2): sbsh/receivers.py.
        from sbsh import receivers  # noqa: F401
