"""Lays out one piece of an SQF document: HTML on standard input, PDF on standard output.

Run by exports.pdf as `python -m exports.pdf_worker`, one process per piece, so the pieces
of a large document are laid out on every core (a Celery worker's pool process may not
fork a multiprocessing pool of its own). Needs no Django: the HTML is complete.
"""

from __future__ import annotations

import sys
from pathlib import Path

EXPORTS_DIR = Path(__file__).resolve().parent


def main() -> None:
    from weasyprint import HTML

    html = sys.stdin.buffer.read().decode("utf-8")
    data = HTML(string=html, base_url=str(EXPORTS_DIR) + "/").write_pdf()
    sys.stdout.buffer.write(data)


if __name__ == "__main__":
    main()
