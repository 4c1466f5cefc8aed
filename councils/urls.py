from __future__ import annotations

from django.urls import path

import config.params  # noqa: F401  (registers <id:…>: [0-9]{1,18})
from councils import views

app_name = "councils"
urlpatterns = [
    path("", views.organisation_list, name="organisation-list"),
    path("<id:pk>/", views.organisation_detail, name="organisation-detail"),
    path("audit/", views.audit_trail, name="audit-trail"),
]
