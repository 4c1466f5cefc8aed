from __future__ import annotations

from django.urls import path

from classifiers import views

app_name = "classifiers"
urlpatterns = [
    path("", views.classifier_index, name="index"),
    path("search.json", views.node_search_json, name="search"),
    path("<str:classifier>/", views.classifier_browse, name="browse"),
    path("<str:classifier>/<str:code>/", views.node_detail, name="node"),
]
