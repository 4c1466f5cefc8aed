"""The interface is complete in Kazakh and Russian: every string in the code is translated."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENTRY = re.compile(r'^msgid (".*?"\n(?:".*"\n)*)msgstr (".*?"\n(?:".*"\n)*)', re.M)


def _untranslated(po: Path) -> list[str]:
    text = po.read_text(encoding="utf-8")
    missing = []
    for block in text.split("\n\n"):
        if block.lstrip().startswith("#~"):
            continue
        match = ENTRY.search(block + "\n")
        if not match:
            continue
        msgid = "".join(re.findall(r'"(.*)"', match.group(1)))
        msgstr = "".join(re.findall(r'"(.*)"', match.group(2)))
        if msgid and (not msgstr or "#, fuzzy" in block):
            missing.append(msgid)
    if "msgid_plural" in text:
        for block in text.split("\n\n"):
            if "msgid_plural" in block and re.search(
                r'^msgstr\[\d\] ""\n(?!")', block + "\n", re.M
            ):
                missing.append(block.splitlines()[0])
    return missing


def test_every_interface_string_is_translated_to_kazakh_and_russian(tmp_path: Path) -> None:
    # makemessages writes into every locale folder it can see, so it runs on a copy of
    # the sources and never touches the real catalogues.
    tree = tmp_path / "src"
    shutil.copytree(
        ROOT,
        tree,
        ignore=shutil.ignore_patterns(
            ".venv",
            ".git",
            "var",
            "staticfiles",
            "test-artifacts",
            "__pycache__",
            "*.xlsx",
            "*.csv",
            "bench",
        ),
    )
    scratch = tree / "locale"
    env = {**os.environ, "SQF_LOCALE_DIR": str(scratch), "SQF_DATA_DIR": str(tmp_path / "var")}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "kk", "-l", "ru", "--no-location"],
        cwd=tree,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    for lang in ("kk", "ru"):
        missing = _untranslated(scratch / lang / "LC_MESSAGES" / "django.po")
        assert not missing, (
            f"{len(missing)} strings lack a {lang} translation (run scripts/messages.sh and "
            f"translate locale/{lang}/LC_MESSAGES/django.po): {missing[:10]}"
        )
