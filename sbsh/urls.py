from __future__ import annotations

from django.urls import path

import config.params  # noqa: F401  (registers <id:…>: [0-9]{1,18})
from sbsh.document import views, views_impact, views_tables, views_workbook
from sbsh.workflow import views as wf
from sbsh.workflow import views_grounds

app_name = "sbsh"
urlpatterns = [
    path("", views.framework_list, name="list"),
    path("inbox/", wf.inbox, name="inbox"),
    path("grounds/", views_grounds.grounds_list, name="grounds"),
    path("grounds/new/<str:kind>/<id:council>/", views_grounds.ground_new, name="ground-new"),
    path("grounds/<id:gid>/", views_grounds.ground_detail, name="ground"),
    path("grounds/<id:gid>/rows/", views_grounds.ground_row_add, name="ground-row"),
    path("grounds/<id:gid>/rows/<id:rid>/delete/", views_grounds.ground_row_delete, name="ground-row-delete"),
    path("grounds/<id:gid>/gaps/", views_grounds.gap_add, name="ground-gap"),
    path("grounds/<id:gid>/gaps/<id:fid>/delete/", views_grounds.gap_delete, name="ground-gap-delete"),
    path("grounds/<id:gid>/file/", views_grounds.ground_file, name="ground-file"),
    path("councils/<id:council>/decide/", wf.decide_grounds, name="decide-grounds"),
    path("decisions/<id:did>/", wf.decision_detail, name="decision"),
    path("decisions/<id:did>/protocol/", wf.protocol_download, name="decision-protocol"),
    path("<id:pk>/", views.overview, name="overview"),
    path("<id:pk>/decide/", wf.decide_draft, name="decide-draft"),
    path("<id:pk>/recommendations/", wf.recommendations, name="recommendations"),
    path(
        "<id:pk>/recommendations/<id:rid>/",
        wf.recommendation_answer,
        name="recommendation-answer",
    ),
    path("<id:pk>/comments/", wf.comments, name="comments"),
    path("<id:pk>/comments/<id:cid>/resolve/", wf.comment_resolve, name="comment-resolve"),
    path("<id:pk>/changes/", wf.changes, name="changes"),
    path("<id:pk>/history/", wf.history, name="history"),
    path("<id:pk>/checklist/", views.checklist, name="checklist"),
    path("<id:pk>/move/<str:name>/", views.transition, name="transition"),
    path("<id:pk>/passport/", views.passport, name="passport"),
    path("<id:pk>/parts/<str:key>/", views.part_edit, name="part"),
    path("<id:pk>/parts/<str:key>/confirm/", views.part_confirm, name="part-confirm"),
    path("<id:pk>/standards/", views.standards, name="standards"),
    path("<id:pk>/standards/<id:sid>/delete/", views.standard_delete, name="standard-delete"),
    path("<id:pk>/table1/", views_tables.table1, name="table1"),
    path("<id:pk>/table1/<id:rid>/", views_tables.table1_row, name="table1-row"),
    path("<id:pk>/table1/<id:rid>/edit/", views_tables.table1_row_edit, name="table1-edit"),
    path("<id:pk>/table1/<id:rid>/delete/", views_tables.table1_row_delete, name="table1-delete"),
    path("<id:pk>/table1/<id:rid>/move/", views_tables.table1_row_move, name="table1-move"),
    path(
        "<id:pk>/table1/<id:rid>/confirm/", views_tables.table1_row_confirm, name="table1-confirm"
    ),
    path("<id:pk>/table2/", views_tables.table2, name="table2"),
    path("<id:pk>/table2/<id:eid>/delete/", views_tables.table2_entry_delete, name="table2-delete"),
    path("<id:pk>/table2/links/", views_tables.table2_link_add, name="table2-link"),
    path(
        "<id:pk>/table2/links/<id:lid>/delete/",
        views_tables.table2_link_delete,
        name="table2-unlink",
    ),
    path("<id:pk>/working-group/", views.working_group, name="working-group"),
    path(
        "<id:pk>/working-group/<id:mid>/remove/",
        views.working_group_remove,
        name="working-group-remove",
    ),
    path(
        "<id:pk>/table2/links/<id:lid>/experience/",
        views_tables.table2_link_experience,
        name="table2-link-experience",
    ),
    path("<id:pk>/tables.xlsx", views_workbook.tables_export, name="tables-export"),
    path("<id:pk>/tables/import/", views_workbook.tables_import, name="tables-import"),
    path("<id:pk>/tables/import/apply/", views_workbook.tables_apply, name="tables-apply"),
    path("<id:pk>/table3/", views_tables.table3, name="table3"),
    path("<id:pk>/table3/<id:rid>/", views_tables.table3_row, name="table3-row"),
    path("<id:pk>/table3/<id:rid>/edit/", views_tables.table3_row_edit, name="table3-edit"),
    path("<id:pk>/table3/<id:rid>/delete/", views_tables.table3_row_delete, name="table3-delete"),
    path("<id:pk>/editions/", views_impact.version_editions, name="editions"),
    path("<id:pk>/editions/move/", views_impact.version_editions_move, name="editions-move"),
]
