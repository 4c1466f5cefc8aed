from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    """The public registry of published SQFs (Rules §14): it serves the rendered
    documents, so it sits above `exports`."""

    name = "registry"
    verbose_name = _("Public registry")
