from __future__ import annotations

from django.urls import path

import config.params  # noqa: F401  (registers <id:…>: [0-9]{1,18})
from deadlines import views

app_name = "deadlines"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("calendar/", views.year_redirect, name="calendar"),
    path("calendar/<id:year>/", views.year, name="year"),
    path("calendar/<id:year>.csv", views.year_csv, name="year-csv"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
    path("feed/regenerate/", views.feed_regenerate, name="feed-regenerate"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications-read"),
]
