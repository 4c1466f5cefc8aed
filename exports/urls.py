from __future__ import annotations

from django.urls import path

import config.params  # noqa: F401  (registers <id:…>: [0-9]{1,18})
from exports import views

app_name = "exports"
urlpatterns = [
    path("<id:pk>/documents/", views.documents, name="documents"),
    path("<id:pk>/documents/request/", views.document_request, name="request"),
    path("<id:pk>/documents/<id:rid>/download/", views.document_download, name="download"),
    path("<id:pk>/documents/json/", views.document_json, name="json"),
    path("<id:pk>/documents/options/", views.document_options, name="options"),
    path("<id:pk>/preview/<str:lang>/", views.document_preview, name="preview"),
    # Electronic digital signatures of the hand-over documents (Rules §14).
    path("<id:pk>/documents/<id:rid>/sign/", views.signature_add, name="sign"),
    path(
        "<id:pk>/documents/<id:rid>/signatures/<id:sid>.cms",
        views.signature_download,
        name="signature",
    ),
]
