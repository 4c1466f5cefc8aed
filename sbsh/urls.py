from __future__ import annotations

from django.urls import path

from sbsh import views, views_impact
from sbsh import views_workflow as wf

app_name = "sbsh"
urlpatterns = [
    path("", views.framework_list, name="list"),
    path("inbox/", wf.inbox, name="inbox"),
    path("grounds/", wf.grounds_list, name="grounds"),
    path("grounds/new/<str:kind>/<int:council>/", wf.ground_new, name="ground-new"),
    path("grounds/<int:gid>/", wf.ground_detail, name="ground"),
    path("grounds/<int:gid>/rows/", wf.ground_row_add, name="ground-row"),
    path(
        "grounds/<int:gid>/rows/<int:rid>/delete/", wf.ground_row_delete, name="ground-row-delete"
    ),
    path("grounds/<int:gid>/gaps/", wf.gap_add, name="ground-gap"),
    path("grounds/<int:gid>/gaps/<int:fid>/delete/", wf.gap_delete, name="ground-gap-delete"),
    path("grounds/<int:gid>/file/", wf.ground_file, name="ground-file"),
    path("councils/<int:council>/decide/", wf.decide_grounds, name="decide-grounds"),
    path("decisions/<int:did>/", wf.decision_detail, name="decision"),
    path("decisions/<int:did>/protocol/", wf.protocol_download, name="decision-protocol"),
    path("<int:pk>/", views.overview, name="overview"),
    path("<int:pk>/decide/", wf.decide_draft, name="decide-draft"),
    path("<int:pk>/recommendations/", wf.recommendations, name="recommendations"),
    path(
        "<int:pk>/recommendations/<int:rid>/",
        wf.recommendation_answer,
        name="recommendation-answer",
    ),
    path("<int:pk>/comments/", wf.comments, name="comments"),
    path("<int:pk>/comments/<int:cid>/resolve/", wf.comment_resolve, name="comment-resolve"),
    path("<int:pk>/changes/", wf.changes, name="changes"),
    path("<int:pk>/history/", wf.history, name="history"),
    path("<int:pk>/checklist/", views.checklist, name="checklist"),
    path("<int:pk>/move/<str:name>/", views.transition, name="transition"),
    path("<int:pk>/passport/", views.passport, name="passport"),
    path("<int:pk>/parts/<str:key>/", views.part_edit, name="part"),
    path("<int:pk>/parts/<str:key>/confirm/", views.part_confirm, name="part-confirm"),
    path("<int:pk>/standards/", views.standards, name="standards"),
    path("<int:pk>/standards/<int:sid>/delete/", views.standard_delete, name="standard-delete"),
    path("<int:pk>/table1/", views.table1, name="table1"),
    path("<int:pk>/table1/<int:rid>/", views.table1_row, name="table1-row"),
    path("<int:pk>/table1/<int:rid>/edit/", views.table1_row_edit, name="table1-edit"),
    path("<int:pk>/table1/<int:rid>/delete/", views.table1_row_delete, name="table1-delete"),
    path("<int:pk>/table1/<int:rid>/move/", views.table1_row_move, name="table1-move"),
    path("<int:pk>/table1/<int:rid>/confirm/", views.table1_row_confirm, name="table1-confirm"),
    path("<int:pk>/editions/", views_impact.version_editions, name="editions"),
    path("<int:pk>/editions/move/", views_impact.version_editions_move, name="editions-move"),
    path("<int:pk>/table2/", views.table2, name="table2"),
    path("<int:pk>/table2/<int:eid>/delete/", views.table2_entry_delete, name="table2-delete"),
    path("<int:pk>/table2/links/", views.table2_link_add, name="table2-link"),
    path("<int:pk>/table2/links/<int:lid>/delete/", views.table2_link_delete, name="table2-unlink"),
    path("<int:pk>/table3/", views.table3, name="table3"),
    path("<int:pk>/table3/<int:rid>/", views.table3_row, name="table3-row"),
    path("<int:pk>/table3/<int:rid>/edit/", views.table3_row_edit, name="table3-edit"),
    path("<int:pk>/table3/<int:rid>/delete/", views.table3_row_delete, name="table3-delete"),
]
