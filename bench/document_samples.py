"""Sample pages of Tables 2 and 3 for docs/: the first and a middle page of each table,
in Kazakh and Russian, portrait (Annex §12) and landscape (the per-SQF option).

  .venv/bin/python bench/document_samples.py CONTENT.json [--out docs] [--dpi 60]

CONTENT.json is a version's content, e.g. `large.json` that bench/documents.py writes to
its --out folder. Renders with exports.pdf.render_pdf and pdftoppm (poppler-utils). No
database. Under 1 min. Writes the PNGs into --out (docs/ by default: they are the
pictures docs/benchmarks.md shows).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    sys.path.append(str(ROOT / "bench"))
    import _common

    parser = _common.parser(__doc__, keep=False)
    parser.add_argument("content", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    parser.add_argument("--dpi", type=int, default=60)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SQF_DATA_DIR", tempfile.mkdtemp(prefix="sqf-samples-"))
    import django

    django.setup()
    from exports.layout import document_model
    from exports.pdf import render_pdf
    from tests.exports.pdfcheck import read

    content = json.loads(args.content.read_text(encoding="utf-8"))
    args.out.mkdir(parents=True, exist_ok=True)
    for orientation in ("portrait", "landscape"):
        data = {**content, "document": {"tables_landscape": orientation == "landscape"}}
        for lang in ("kk", "ru"):
            c = document_model(data, lang).c
            pdf = render_pdf(data, lang)
            pages = read(pdf)
            start2 = next(p.number for p in pages if any(c["t2"][:40] in ln for ln in p.lines))
            start3 = next(p.number for p in pages if any(c["t3"][:30] in ln for ln in p.lines))
            picks = {
                "table2-first": start2,
                "table2-middle": (start2 + start3) // 2,
                "table3-first": start3,
                "table3-middle": (start3 + len(pages)) // 2,
            }
            with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
                fh.write(pdf)
                fh.flush()
                for name, page in picks.items():
                    target = args.out / f"sample-{name}-{lang}-{orientation}"
                    subprocess.run(
                        [
                            "pdftoppm",
                            "-png",
                            "-r",
                            str(args.dpi),
                            "-f",
                            str(page),
                            "-l",
                            str(page),
                            "-singlefile",
                            fh.name,
                            str(target),
                        ],
                        check=True,
                    )
                    print(f"{target}.png  (page {page} of {len(pages)})")


if __name__ == "__main__":
    main()
