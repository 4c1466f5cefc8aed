"""The layout holds (docs/architecture.md): the apps depend one way, function-level imports
included, and no application module grows past 600 lines."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp
import pytest
from django.conf import settings
from grimp import Layer

ROOT = Path(__file__).resolve().parents[1]
APPS = ["config", *settings.PROJECT_APPS]
MAX_LINES = 600


def test_the_apps_depend_one_way() -> None:
    """The layers contract of .importlinter, over every import (function-level too)."""
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--config", str(ROOT / ".importlinter"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


def test_the_contract_lists_every_app_in_its_layer() -> None:
    """An app left out of the contract would be free to import anything."""
    text = (ROOT / ".importlinter").read_text(encoding="utf-8")
    layers = text.split("layers =", 1)[1]
    for app in APPS[1:]:
        assert f"\n    {app}\n" in layers, app


@pytest.mark.parametrize("app", APPS)
def test_no_application_module_over_600_lines(app: str) -> None:
    long = {
        str(path.relative_to(ROOT)): n
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
        and (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}, f"split these by concern (docs/architecture.md): {long}"


def _layers() -> list[Layer]:
    """The layers of .importlinter, top first ("a | b": independent, "a : b": not)."""
    text = (ROOT / ".importlinter").read_text(encoding="utf-8")
    block = text.split("layers =", 1)[1].split("\n\n", 1)[0]
    layers = []
    for line in filter(None, (raw.strip() for raw in block.splitlines())):
        independent = ":" not in line
        names = [n.strip() for n in line.replace(":", "|").split("|")]
        layers.append(Layer(*names, independent=independent))
    return layers


def test_a_lower_app_importing_a_higher_one_is_caught() -> None:
    """The contract is not vacuous: the same layers over the real import graph find nothing,
    and find a function-level import of sbsh added to councils."""
    graph = grimp.build_graph(*APPS, cache_dir=None)
    assert graph.find_illegal_dependencies_for_layers(layers=_layers()) == set()
    graph.add_import(importer="councils.access", imported="sbsh.models")
    illegal = graph.find_illegal_dependencies_for_layers(layers=_layers())
    assert {(d.importer, d.imported) for d in illegal} == {("councils", "sbsh")}
