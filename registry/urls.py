"""The public registry: no login (registry/views.py)."""

from __future__ import annotations

from django.urls import path

import config.params  # noqa: F401  (registers <id:…>: [0-9]{1,18})
from registry import case_views as views_case
from registry import views
from sbsh.publication import views_coverage

app_name = "registry"
urlpatterns = [
    path("", views.registry_list, name="list"),
    path("feed.atom", views.RegistryAtomFeed(), name="feed-atom"),
    path("feed.json", views.registry_feed_json, name="feed-json"),
    path("case.zip", views_case.registry_case_bulk, name="case-bulk"),
    path("coverage/", views_coverage.registry_coverage, name="coverage"),
    path("occupations/", views.registry_occupation, name="occupation-search"),
    path("occupations/<str:code>/", views.registry_occupation, name="occupation"),
    path("<id:framework>/", views.registry_sqf, name="sqf"),
    path("<id:framework>/v<id:number>/", views.registry_sqf, name="version"),
    path("<id:framework>/v<id:number>/case.json", views_case.registry_case, name="case"),
    path("<id:framework>/v<id:number>/careers.svg", views.registry_careers_svg, name="careers"),
    path(
        "<id:framework>/v<id:number>/<str:lang>.<str:fmt>",
        views.registry_download,
        name="download",
    ),
]
