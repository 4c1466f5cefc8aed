from __future__ import annotations

import io
import zipfile

import pytest

from classifiers.models import CrosswalkLink, Edition, Node
from councils.models import AuditEvent


def canonical_csv(
    rows: list[tuple[str, ...]], header: str = "code,parent_code,level,name_kk,name_ru,name_en"
) -> bytes:
    lines = [header] + [",".join(f'"{c}"' for c in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


# A small NKZ tree in the canonical layout: 2 → 25 → 251 → 2512 → 2512-1 → 2512-1-001
SMALL_NKZ = [
    ("2", "", "1", "МАМАНДАР", "СПЕЦИАЛИСТЫ", ""),
    ("25", "2", "2", "АКТ МАМАНДАРЫ", "СПЕЦИАЛИСТЫ ИКТ", ""),
    ("251", "25", "3", "ӘЗІРЛЕУШІЛЕР", "РАЗРАБОТЧИКИ", ""),
    ("2512", "251", "4", "БАҒДАРЛАМАЛЫҚ ЖАСАҚТАМА ӘЗІРЛЕУШІЛЕРІ", "РАЗРАБОТЧИКИ ПО", ""),
    ("2512-1", "2512", "5", "ӘЗІРЛЕУШІЛЕР", "РАЗРАБОТЧИКИ ПРОГРАММНОГО ОБЕСПЕЧЕНИЯ", ""),
    ("2512-1-001", "2512-1", "6", "БАҒДАРЛАМАШЫ", "ПРОГРАММИСТ", ""),
]


def xlsx_bytes(rows: list[list[object]], sheet: str = "classifier") -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def zip_with(entries: dict[str, bytes], *, symlink: str | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = 0o120777 << 16
            z.writestr(info, "/etc/passwd")
    return out.getvalue()


@pytest.fixture
def snapshot(db: None):
    def take() -> tuple[int, int, int, int]:
        return (
            Edition.objects.count(),
            Node.objects.count(),
            CrosswalkLink.objects.count(),
            AuditEvent.objects.count(),
        )

    return take


@pytest.fixture(autouse=True)
def _english() -> object:
    # Problem messages are asserted in English; the product's default is Kazakh.
    from django.utils import translation

    with translation.override("en"):
        yield
