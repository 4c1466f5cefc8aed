"""Shared fixtures: the named personas of the SQF workbench.

The personas are the demo users (councils/demo.py), so the tests exercise exactly the
people a newcomer sees after `seed_demo`:
- drafter   — ministry staff, Ministry of Energy
- expert    — working-group participant, Ministry of Energy (Rules §7)
- member    — council member, energy council
- secretary — council secretary, energy council
- officer   — national-body officer
- admin     — administrator
- outsider  — ministry staff of another ministry (Agriculture)
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test import Client

from councils.demo import seed_organisations_and_people
from councils.models import Organisation, User

# Set by .ci/run: tests that need a real service must run there, never skip.
REQUIRE_SERVICES = os.environ.get("SQF_REQUIRE_SERVICES") == "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("postgres") and not settings.IS_POSTGRES:
            _skip_or_fail(item, "needs PostgreSQL: set DATABASE_URL=postgres://…")
        if item.get_closest_marker("redis") and not settings.REDIS_URL:
            _skip_or_fail(item, "needs Redis: set REDIS_URL=redis://…")
        if item.get_closest_marker("browser") and not os.path.exists(
            os.environ.get("CHROMIUM", "/usr/bin/chromium")
        ):
            _skip_or_fail(item, "needs Debian's chromium at /usr/bin/chromium")


def _skip_or_fail(item: pytest.Item, reason: str) -> None:
    if REQUIRE_SERVICES:
        raise pytest.UsageError(f"{item.nodeid}: SQF_REQUIRE_SERVICES=1 but {reason}")
    item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def _fast_tests(settings: pytest.FixtureRequest, tmp_path: object) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    from django.core.cache import caches

    for alias in ("default", "fragments"):  # the rendered table rows too (sbsh/document/fragments.py)
        caches[alias].clear()
    # The default PBKDF2 hasher makes every login cost ~0.3 s; tests prove behaviour, not cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.SQF_RENDER_IN_THREAD = False
    settings.SQF_PDF_PIECES_DIR = f"{tmp_path}/pdf-pieces"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@dataclass
class Personas:
    admin: User
    drafter: User
    expert: User
    member: User
    secretary: User
    officer: User
    outsider: User
    energy: Organisation
    energy_council: Organisation
    agriculture: Organisation
    agriculture_council: Organisation
    national: Organisation

    def client_for(self, user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client


PASSWORD = "persona-pass-2026"


@pytest.fixture
def personas(db: None) -> Personas:
    users = seed_organisations_and_people(password=PASSWORD)
    orgs = {o.short_name: o for o in Organisation.objects.all()}
    return Personas(
        **users,
        energy=orgs["ЭМ"],
        energy_council=orgs["ОСПК-Энергетика"],
        agriculture=orgs["МСХ"],
        agriculture_council=orgs["ОСПК-АПК"],
        national=orgs["НПП «Атамекен»"],
    )
