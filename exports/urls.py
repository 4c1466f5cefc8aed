from __future__ import annotations

from django.urls import path

from exports import views

app_name = "exports"
urlpatterns = [
    path("<int:pk>/documents/", views.documents, name="documents"),
    path("<int:pk>/documents/request/", views.document_request, name="request"),
    path("<int:pk>/documents/<int:rid>/download/", views.document_download, name="download"),
    path("<int:pk>/documents/json/", views.document_json, name="json"),
    path("<int:pk>/documents/options/", views.document_options, name="options"),
    path("<int:pk>/preview/<str:lang>/", views.document_preview, name="preview"),
    # Electronic digital signatures of the hand-over documents (Rules §14).
    path("<int:pk>/documents/<int:rid>/sign/", views.signature_add, name="sign"),
    path(
        "<int:pk>/documents/<int:rid>/signatures/<int:sid>.cms",
        views.signature_download,
        name="signature",
    ),
]
