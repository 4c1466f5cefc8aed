from __future__ import annotations

from django.urls import path

from councils import views

app_name = "councils"
urlpatterns = [
    path("", views.organisation_list, name="organisation-list"),
    path("<int:pk>/", views.organisation_detail, name="organisation-detail"),
    path("audit/", views.audit_trail, name="audit-trail"),
]
