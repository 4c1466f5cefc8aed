"""python manage.py export_sqf VERSION_ID --lang {kk,ru} --format {docx,pdf,json} --output PATH"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from exports.services import render_bytes
from sbsh.document import content as content_mod
from sbsh.models import Version


class Command(BaseCommand):
    help = "Write one document of an SQF version (rendered now, in this process)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("version_id", type=int)
        parser.add_argument("--lang", choices=["kk", "ru"], required=True)
        parser.add_argument("--format", choices=["docx", "pdf", "json"], required=True)
        parser.add_argument("--output", type=Path, required=True)

    def handle(
        self, *args: Any, version_id: int, lang: str, format: str, output: Path, **options: Any
    ) -> None:
        version = Version.objects.select_related("framework").filter(pk=version_id).first()
        if version is None:
            raise CommandError(f"There is no SQF version {version_id}.")
        started = time.perf_counter()
        document = content_mod.document(version) if format == "json" else None
        content = document["content"] if document else content_mod.version_content(version)
        data = render_bytes(content, lang, format, document=document)
        output.write_bytes(data)
        self.stdout.write(f"{output}: {len(data)} bytes, {time.perf_counter() - started:.2f} s")
