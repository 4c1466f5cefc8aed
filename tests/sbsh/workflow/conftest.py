"""Fixtures of the workflow's tests."""

from __future__ import annotations

import pytest

from deadlines.demo import seed_calendar


@pytest.fixture
def ready(personas, monkeypatch, sqf):
    """A version whose compliance check is clean and whose hand-over documents are ready
    (the check, the §8 checklist and the documents are tested on their own below)."""
    seed_calendar()
    monkeypatch.setattr("sbsh.document.checks.findings", lambda version: [])
    monkeypatch.setattr(
        "exports.services.handover_documents", lambda version, content=None: ([], [])
    )
    return sqf.version
