"""1EdTech CASE 1.1 service endpoints for the public registry (registry/case_views.py)."""

from __future__ import annotations

from django.urls import path

from registry import case_views as views

app_name = "case"
urlpatterns = [
    path("CFDocuments", views.case_documents, name="documents"),
    path("CFDocuments/<str:identifier>", views.case_document, name="document"),
    path("CFPackages/<str:identifier>", views.case_package, name="package"),
]
