"""Rejecting a recommendation without a reason: the error stands at the reason field, the
chosen option and the typed text stay, nothing is written (Rules §13; issue 19)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sbsh.models import Recommendation
from tests.sbsh.workflow.test_workflow import _move

pytestmark = pytest.mark.django_db


@pytest.fixture
def returned(personas, ready):
    version = _move(personas, ready, "submit", "drafter")
    version = _move(
        personas, version, "return_for_revision", "secretary", comment="Уточнить уровень 4"
    )
    return version, Recommendation.objects.get(version=version)


def test_a_rejection_without_reason_is_refused_at_the_field_and_keeps_the_choice(
    personas, returned
) -> None:
    version, rec = returned
    client = personas.client_for(personas.drafter)
    client.cookies["sqf_language"] = "en"
    response = client.post(
        reverse("sbsh:recommendation-answer", args=[version.pk, rec.pk]),
        {"revision": rec.revision, "answer": "rejected", "answer_text": "  "},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert f'data-testid="answer-text-error-{rec.pk}">Give the reason for rejecting' in page
    assert f'value="rejected" checked data-testid="reject-{rec.pk}"' in page
    saved = Recommendation.objects.get(pk=rec.pk)
    assert saved.answer == Recommendation.Answer.PENDING and saved.answer_text == ""


def test_an_answer_with_its_reason_is_saved(personas, returned) -> None:
    version, rec = returned
    client = personas.client_for(personas.drafter)
    response = client.post(
        reverse("sbsh:recommendation-answer", args=[version.pk, rec.pk]),
        {"revision": rec.revision, "answer": "rejected", "answer_text": "Деңгей дұрыс"},
    )
    assert response.status_code == 302
    saved = Recommendation.objects.get(pk=rec.pk)
    assert (saved.answer, saved.answer_text) == ("rejected", "Деңгей дұрыс")
