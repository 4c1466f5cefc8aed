"""Check: the CASE 1.1 package and the career picture of the benchmark's large SQF.

  .venv/bin/python bench/case.py [--out DIR]      # under 1 min

Builds the same documents as bench/documents.py (its `build_contents`: the demo SQF grown
through the services to 10 levels, 200 Table 1 rows, 40 occupations in Table 2, 300
Table 3 rows) in a throw-away SQLite database under --out (no PostgreSQL needed), then for the demo and the large
content: builds the CFPackage (sbsh/case), validates it against the vendored 1EdTech
getCFPackage schema (Draft 2020-12, uri and date-time formats checked), checks every
identifier is a whole UUID with the variant digit 8/9/a/b, and draws the career picture
(sbsh/careers.py) in kk and ru, writing the SVGs to --out. Prints one JSON line per
content; exit 1 when a package does not validate.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def main() -> int:
    import _common

    parser = _common.parser(__doc__, keep=False)
    parser.add_argument("--out", type=Path, help="default: a temporary folder (kept)")
    args = parser.parse_args()
    _common.print_machine()
    out = (args.out or Path(tempfile.mkdtemp(prefix="sqf-bench-case-"))).resolve()
    out.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(out / "data", ignore_errors=True)
    os.environ["SQF_DATA_DIR"] = str(out / "data")
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from documents import build_contents
    from jsonschema import Draft202012Validator, FormatChecker

    from sbsh.case import cf_package, schema
    from sbsh.document import careers

    checker = FormatChecker()
    checker.checks("uri")(lambda v: bool(urlparse(str(v)).scheme and urlparse(str(v)).netloc))
    checker.checks("date-time")(lambda v: dt.datetime.fromisoformat(str(v)).tzinfo is not None)
    validator = Draft202012Validator(schema(), format_checker=checker)

    demo_path, large_path, shape = build_contents(out)
    print(json.dumps({"shape": shape}, ensure_ascii=False), flush=True)
    failed = False
    for name, path in (("demo", demo_path), ("large", large_path)):
        content = json.loads(path.read_text("utf-8"))
        start = time.perf_counter()
        package = cf_package(
            content,
            framework_id=1,
            number=1,
            published_at=dt.datetime.now(dt.UTC),
            superseded_at=None,
            base_url="https://sqf.example.kz",
        )
        built = time.perf_counter() - start
        start = time.perf_counter()
        errors = list(validator.iter_errors(package))
        checked = time.perf_counter() - start
        objects = [package["CFDocument"], *package["CFItems"], *package["CFAssociations"]]
        bad_ids = [o["identifier"] for o in objects if not UUID.match(o["identifier"])]
        (out / f"{name}.case.json").write_text(json.dumps(package, ensure_ascii=False), "utf-8")
        svg_sizes = {}
        for lang in ("kk", "ru"):
            occupations, moves = careers.from_content(content, lang)
            svg = careers.career_svg(occupations, moves, lang)
            (out / f"{name}-careers-{lang}.svg").write_text(svg, "utf-8")
            svg_sizes[lang] = len(svg)
        kinds: dict[str, int] = {}
        for a in package["CFAssociations"]:
            kinds[a["associationType"]] = kinds.get(a["associationType"], 0) + 1
        failed |= bool(errors or bad_ids)
        print(
            json.dumps(
                {
                    "content": name,
                    "items": len(package["CFItems"]),
                    "associations": len(package["CFAssociations"]),
                    "association_types": kinds,
                    "bytes": len(json.dumps(package, ensure_ascii=False).encode()),
                    "build_s": round(built, 3),
                    "validate_s": round(checked, 3),
                    "schema_errors": [e.message for e in errors[:5]],
                    "bad_identifiers": bad_ids[:5],
                    "table2_occupations": len(content["table2"]["entries"]),
                    "svg_bytes": svg_sizes,
                },
                ensure_ascii=False,
            ),
            flush=True,
        )
    print(f"written to {out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
