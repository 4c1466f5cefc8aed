from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SbshConfig(AppConfig):
    name = "sbsh"
    verbose_name = _("Sectoral qualification frameworks")
