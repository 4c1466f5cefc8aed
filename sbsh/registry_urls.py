"""The public registry: no login (sbsh/views_registry.py)."""

from __future__ import annotations

from django.urls import path

import config.params  # noqa: F401  (registers <id:…>: [0-9]{1,18})
from sbsh import views_registry as views

app_name = "registry"
urlpatterns = [
    path("", views.registry_list, name="list"),
    path("feed.atom", views.RegistryAtomFeed(), name="feed-atom"),
    path("feed.json", views.registry_feed_json, name="feed-json"),
    path("<id:framework>/", views.registry_sqf, name="sqf"),
    path("<id:framework>/v<id:number>/", views.registry_sqf, name="version"),
    path(
        "<id:framework>/v<id:number>/<str:lang>.<str:fmt>",
        views.registry_download,
        name="download",
    ),
]
