from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CouncilsConfig(AppConfig):
    name = "councils"
    verbose_name = _("Organisations and people")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from councils.middleware import session_started

        user_logged_in.connect(session_started, dispatch_uid="councils.session_started")
