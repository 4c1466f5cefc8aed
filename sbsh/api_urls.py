"""REST API routes (sbsh/api.py); the schema and its documentation pages in config/urls.py."""

from __future__ import annotations

from django.urls import path
from rest_framework.routers import DefaultRouter

import config.params  # noqa: F401  (registers <id:…>: [0-9]{1,18})
from sbsh import api
from sbsh.document import api_insight

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("registry/publications", api.PublicationViewSet, basename="publication")
router.register("versions", api.VersionViewSet, basename="version")
router.register("recommendations", api.RecommendationViewSet, basename="recommendation")
router.register("grounds", api.GroundViewSet, basename="ground")

parts = api.PartViewSet.as_view({"get": "list"})
part = api.PartViewSet.as_view({"get": "retrieve", "put": "update"})
table1 = api.Table1ViewSet.as_view({"get": "list", "post": "create"})
table1_row = api.Table1ViewSet.as_view({"get": "retrieve", "put": "update", "delete": "destroy"})
comments = api.CommentViewSet.as_view({"get": "list", "post": "create"})

urlpatterns = [
    *router.urls,
    path("registry/coverage/", api_insight.CoverageView.as_view(), name="registry-coverage"),
    path(
        "registry/occupations/<str:code>/",
        api_insight.OccupationAppearancesView.as_view(),
        name="registry-occupation",
    ),
    path("versions/<id:version_pk>/parts/", parts, name="version-parts"),
    path("versions/<id:version_pk>/parts/<str:key>/", part, name="version-part"),
    path("versions/<id:version_pk>/table1/", table1, name="version-table1"),
    path("versions/<id:version_pk>/table1/<id:pk>/", table1_row, name="version-table1-row"),
    path("versions/<id:version_pk>/comments/", comments, name="version-comments"),
]
