"""Each length limit of sbsh/limits.py (docs/limits.md) holds alike in the model, the form
and the API (issue 19): one character past it is refused at that field, the limit itself
passes, and the form tells the browser (maxlength, which drives the counter). The
end-to-end refusals (422 with the text kept, nothing written) are in test_limits.py."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from rest_framework import serializers

from sbsh import limits
from sbsh.document import api as document_api
from sbsh.document import forms
from sbsh.publication import api as publication_api
from sbsh.workflow import api as workflow_api

LIMITS = {limits.NAME, limits.PART, limits.CELL, limits.TEXT, limits.COMMENT}

# (what, limit, model field, form field, API field); None where that layer does not write it.
LAYERS = [
    (
        "SQF name",
        limits.NAME,
        "Version.name_kk",
        "PassportForm.name_kk",
        "PassportWriteSerializer.name_kk",
    ),
    ("standard name", limits.NAME, "ProfessionalStandard.name_ru", "StandardForm.name_ru", None),
    ("narrative part", limits.PART, "Part.text_kk", "PartForm.text_kk", "PartSerializer.text_kk"),
    (
        "Table 1 cell",
        limits.CELL,
        "Table1Row.stages_kk",
        "Table1RowForm.stages_kk",
        "Table1RowSerializer.stages_kk",
    ),
    (
        "Table 1 cell",
        limits.CELL,
        "Table1Row.competences_ru",
        "Table1RowForm.competences_ru",
        "Table1RowSerializer.competences_ru",
    ),
    (
        "grounds' justification",
        limits.TEXT,
        "Ground.justification",
        "GroundForm.justification",
        None,
    ),
    ("grounds' findings", limits.TEXT, "Ground.findings", "GroundForm.findings", None),
    (
        "comparative table",
        limits.TEXT,
        "GroundRow.proposed_text",
        "GroundRowForm.proposed_text",
        None,
    ),
    ("comparative table", limits.TEXT, "GroundRow.reason", "GroundRowForm.reason", None),
    ("gap note", limits.TEXT, "GapFinding.note", "GapForm.note", None),
    (
        "decision's comment",
        limits.TEXT,
        "Decision.comment",
        "MeetingForm.comment",
        "DecisionOnDraftSerializer.comment",
    ),
    (
        "update ground explained",
        limits.TEXT,
        "UpdateReason.explanation",
        "DecisionOnGroundsForm.explanation_nqf",
        None,
    ),
    (
        "recommendation",
        limits.TEXT,
        "Recommendation.text",
        "DecisionOnDraftForm.recommendations",
        "DecisionOnDraftSerializer.recommendations",
    ),
    (
        "answer",
        limits.TEXT,
        "Recommendation.answer_text",
        "AnswerForm.answer_text",
        "AnswerSerializer.answer_text",
    ),
    ("move's reason", limits.TEXT, "VersionTransition.comment", None, "MoveSerializer.comment"),
    ("return reason", limits.TEXT, "Handover.return_reason", None, None),
    (
        "review comment",
        limits.COMMENT,
        "Comment.body",
        "CommentForm.body",
        "CommentSerializer.body",
    ),
    ("review reply", limits.COMMENT, "Comment.body", "ReplyForm.body", None),
]


def _model_field(dotted: str) -> models.Field:
    model, name = dotted.split(".")
    return apps.get_model("sbsh", model)._meta.get_field(name)


# Forms whose fields depend on what they are for.
FORM_KWARGS = {"GroundForm.findings": {"kind": "analysis"}}  # Rules §5.2


def _form_field(dotted: str):  # type: ignore[no-untyped-def]
    form, name = dotted.split(".")
    return getattr(forms, form)(**FORM_KWARGS.get(dotted, {})).fields[name]


def _api_field(dotted: str) -> serializers.Field:
    serializer, name = dotted.split(".")
    module = next(
        m for m in (document_api, workflow_api, publication_api) if hasattr(m, serializer)
    )
    field = getattr(module, serializer)().fields[name]
    return field.child if isinstance(field, serializers.ListField) else field


def _params(layer: int) -> list[object]:
    return [
        pytest.param(row[layer], row[1], id=f"{row[0]}: {row[layer]}")
        for row in LAYERS
        if row[layer] is not None
    ]


@pytest.mark.parametrize("dotted, limit", _params(2))
def test_the_model_refuses_one_past_the_limit(dotted: str, limit: int) -> None:
    field = _model_field(dotted)
    assert field.max_length == limit
    field.run_validators("ж" * limit)
    with pytest.raises(ValidationError) as error:
        field.run_validators("ж" * (limit + 1))
    assert error.value.error_list[0].code == "max_length"


@pytest.mark.parametrize("dotted, limit", _params(3))
def test_the_form_refuses_one_past_the_limit_and_tells_the_browser(dotted: str, limit: int) -> None:
    field = _form_field(dotted)
    assert field.max_length == limit
    assert field.widget_attrs(field.widget).get("maxlength") == str(limit)
    field.run_validators("ж" * limit)
    with pytest.raises(ValidationError):
        field.clean("ж" * (limit + 1))


@pytest.mark.parametrize("dotted, limit", _params(4))
def test_the_api_refuses_one_past_the_limit(dotted: str, limit: int) -> None:
    field = _api_field(dotted)
    assert field.run_validation("ж" * limit) == "ж" * limit
    with pytest.raises(serializers.ValidationError):
        field.run_validation("ж" * (limit + 1))


def test_every_limited_text_a_person_writes_is_listed_above() -> None:
    """A new text field with one of the limits joins LAYERS (and docs/limits.md)."""
    listed = {row[2] for row in LAYERS}
    found = set()
    for model in apps.get_app_config("sbsh").get_models():
        for field in model._meta.fields:
            if isinstance(field, models.TextField) and field.max_length in LIMITS:
                found.add(f"{model.__name__}.{field.name}")
    # Each text has a kk and a ru twin, or a current/proposed pair; one of a pair is listed.
    twins = {f.replace("_ru", "_kk").replace("current_text", "proposed_text") for f in found}
    unlisted = {
        f
        for f in twins
        if f not in listed
        and f.replace("_kk", "_ru") not in listed
        and not f.startswith("Table1Row.")  # its five columns share one limit: two listed
    }
    assert unlisted == set()


@pytest.mark.django_db
def test_the_decision_service_refuses_an_overlong_update_explanation() -> None:
    """decisions.py checks the model's limit before it writes an UpdateReason (Rules §15)."""
    from sbsh.workflow.decisions import UpdateReasonInput, _update_reasons_clean

    _cleaned, errors = _update_reasons_clean(
        [UpdateReasonInput("labour_market", "ж" * (limits.TEXT + 1))]
    )
    assert "explanation_labour_market" in errors
    _cleaned, errors = _update_reasons_clean(
        [UpdateReasonInput("labour_market", "ж" * limits.TEXT)]
    )
    assert errors == {}
