"""The small things of issue 19: the favicon address, the admin's shortcuts, the demo's
address and e-mail links, a quiet embedded broker, demo table headings in one language."""

from __future__ import annotations

import subprocess
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]


def test_favicon_ico_leads_to_the_icon(client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("img/favicon.svg")


def test_the_admin_home_links_classifier_upload_and_the_calendar(personas) -> None:
    client = personas.client_for(personas.admin)
    page = client.get("/admin/").content.decode()
    assert 'data-testid="admin-shortcuts"' in page
    assert "/admin/classifiers/importjob/add/" in page
    assert "/deadlines/calendar/" in page
    assert client.get("/admin/classifiers/importjob/add/").status_code == 200


def test_the_embedded_broker_names_a_host_so_kombu_does_not_warn() -> None:
    from kombu import Connection

    if settings.REDIS_URL:
        return
    assert Connection(settings.CELERY_BROKER_URL).hostname == "localhost"


def test_demo_script_serves_and_links_the_demo_address() -> None:
    script = (ROOT / "scripts" / "demo.sh").read_text()
    assert 'runserver "$DEMO_ADDRESS"' in script
    assert 'echo "Open http://$DEMO_ADDRESS' in script
    assert 'export SITE_URL="${SITE_URL:-http://$DEMO_ADDRESS}"' in script
    out = subprocess.run(
        ["/bin/bash", "-n", str(ROOT / "scripts" / "demo.sh")], capture_output=True
    )
    assert out.returncode == 0, out.stderr
    assert "DEMO_ADDRESS" in (ROOT / "README.md").read_text()


def test_demo_users_table_has_headings_in_the_language_of_its_rows(db) -> None:
    out = StringIO()
    with translation.override("kk"):
        call_command("seed_demo", stdout=out)
    text = out.getvalue()
    assert "пайдаланушы" in text and "рөл" in text and "ұйым" in text
    assert " user " not in text and " role " not in text
