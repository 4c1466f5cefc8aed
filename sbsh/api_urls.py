"""REST API routes (the `api` module beside each concern: document, workflow, publication); the schema and its documentation pages in config/urls.py."""

from __future__ import annotations

from django.urls import path
from rest_framework.routers import DefaultRouter

import config.params  # noqa: F401  (registers <id:…>: [0-9]{1,18})
from sbsh.document import api as document_api
from sbsh.publication import api as publication_api
from sbsh.publication import api_insight
from sbsh.workflow import api as workflow_api

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("registry/publications", publication_api.PublicationViewSet, basename="publication")
router.register("versions", document_api.VersionViewSet, basename="version")
router.register("recommendations", workflow_api.RecommendationViewSet, basename="recommendation")
router.register("grounds", workflow_api.GroundViewSet, basename="ground")

parts = document_api.PartViewSet.as_view({"get": "list"})
part = document_api.PartViewSet.as_view({"get": "retrieve", "put": "update"})
table1 = document_api.Table1ViewSet.as_view({"get": "list", "post": "create"})
table1_row = document_api.Table1ViewSet.as_view({"get": "retrieve", "put": "update", "delete": "destroy"})
comments = workflow_api.CommentViewSet.as_view({"get": "list", "post": "create"})

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
