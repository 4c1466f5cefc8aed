from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config import views
from sbsh.publication import views_coverage

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    # Browsers ask for /favicon.ico whatever the page says; send them to the real icon.
    path("favicon.ico", views.favicon, name="favicon"),
    path("language/", views.language_set, name="language-set"),
    path("accounts/", include("councils.auth_urls")),
    path("organisations/", include("councils.urls")),
    path("classifiers/", include("classifiers.urls")),
    path("deadlines/", include("deadlines.urls")),
    path("registry/", include("registry.urls")),
    path("coverage/gaps/", views_coverage.coverage_gaps, name="coverage-gaps"),
    path("sqf/", include("sbsh.urls")),
    path("sqf/", include("exports.urls")),
    path("api/classifiers/", include("classifiers.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("sbsh.api_urls")),
    path("ims/case/v1p1/", include("registry.case_urls")),
    path("admin/", admin.site.urls),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
]

# The admin's heading in the reader's language (it said "SQF workbench" in every language).
admin.site.site_header = settings.SITE_NAME
admin.site.site_title = settings.SITE_NAME
