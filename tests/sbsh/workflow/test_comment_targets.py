"""The comment's target is chosen from the table's real rows and columns (issue 19: the
"column" was free text whose accepted values were hidden)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from sbsh.models import Comment
from tests.sbsh.workflow.test_review import _client, submitted  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_the_form_offers_each_tables_columns_marked_with_their_table(personas, submitted) -> None:  # noqa: F811
    version, row = submitted
    page = _client(personas, "member").get(reverse("sbsh:comments", args=[version.pk]))
    html = page.content.decode()
    column = re.search(r'<select name="column".*?</select>', html, re.S).group(0)
    assert 'value="knowledge" data-table="table1"' in column
    assert 'value="isco" data-table="table3"' in column
    assert ">Knowledge<" in column
    assert f'value="table1:{row.pk}"' in html  # the row itself comes from the list above


def test_a_cell_comment_is_posted_by_choosing_a_column(personas, submitted) -> None:  # noqa: F811
    version, row = submitted
    response = _client(personas, "member").post(
        reverse("sbsh:comments", args=[version.pk]),
        {"anchor": f"table1:{row.pk}", "column": "knowledge", "body": "Нақтылаңыз"},
    )
    assert response.status_code == 302
    comment = Comment.objects.get(version=version)
    assert comment.anchor == f"table1:{row.pk}:knowledge"


@pytest.mark.parametrize("column", ["Білім", "isco"])
def test_a_column_not_of_that_table_is_refused_at_the_field(
    personas,
    submitted,  # noqa: F811
    column: str,
) -> None:
    version, row = submitted
    response = _client(personas, "member").post(
        reverse("sbsh:comments", args=[version.pk]),
        {"anchor": f"table1:{row.pk}", "column": column, "body": "Нақтылаңыз"},
    )
    assert response.status_code in (200, 422)
    assert "column" in response.context["form"].errors
    assert "Нақтылаңыз" in response.content.decode()  # the text typed is kept
    assert not Comment.objects.filter(version=version).exists()
