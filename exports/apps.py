from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    name = "exports"
    verbose_name = _("Documents")

    def ready(self) -> None:
        # The moves' effects on the documents (sbsh names them; this app provides them).
        from exports import effects, tasks  # noqa: F401  (tasks answers rendering_requested)

        effects.register()
