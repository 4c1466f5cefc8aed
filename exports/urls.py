from __future__ import annotations

from django.urls import path

from exports import views

app_name = "exports"
urlpatterns = [
    path("<int:pk>/documents/", views.documents, name="documents"),
    path("<int:pk>/documents/request/", views.document_request, name="request"),
    path("<int:pk>/documents/<int:rid>/download/", views.document_download, name="download"),
]
