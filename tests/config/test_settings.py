"""Settings come from the environment and fail loudly on bad values."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config import env

ROOT = Path(__file__).resolve().parents[2]


def test_env_bool_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DEBUG='maybe'"):
        env.env_bool("DEBUG", False)
    monkeypatch.setenv("DEBUG", "Yes")
    assert env.env_bool("DEBUG", False) is True


def test_env_int_and_list_refuse_garbage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMAIL_PORT", "25x")
    with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT"):
        env.env_int("EMAIL_PORT", 587)
    monkeypatch.setenv("ALLOWED_HOSTS", "a.kz,,b.kz")
    with pytest.raises(ImproperlyConfigured, match="ALLOWED_HOSTS"):
        env.env_list("ALLOWED_HOSTS", [])


def test_env_url_checks_scheme_host_and_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", "http://127.0.0.1:6379/0")
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL"):
        env.env_url("REDIS_URL", schemes=("redis",))
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:notaport/0")
    with pytest.raises(ImproperlyConfigured, match=r"REDIS_URL.*port"):
        env.env_url("REDIS_URL", schemes=("redis",))
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    assert env.env_url("REDIS_URL", schemes=("redis",)) == "redis://127.0.0.1:6379/0"


def test_file_variant_reads_docker_secrets(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret = tmp_path / "key"
    secret.write_text("s3cret\n")
    monkeypatch.delenv("SOME_SECRET", raising=False)
    monkeypatch.setenv("SOME_SECRET_FILE", str(secret))
    assert env.env_str("SOME_SECRET") == "s3cret"


def _manage(args: list[str], **extra: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "CELERY_BROKER_URL",
            "DEBUG",
            "HTTPS",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DJANGO_SETTINGS_MODULE",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **extra},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", "mysql://root@127.0.0.1/sqf"),
        ("DATABASE_URL", "postgres://:x@/"),
        ("REDIS_URL", "redis//127.0.0.1"),
        ("DEBUG", "perhaps"),
        ("SECRET_KEY", "short"),
        ("SESSION_COOKIE_AGE", "ten"),
    ],
)
def test_start_up_stops_with_a_message_naming_the_variable(variable: str, value: str) -> None:
    result = _manage(["check"], **{variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr.splitlines()[-1]


def test_production_settings_pass_the_deploy_check() -> None:
    result = _manage(
        ["check", "--deploy", "--fail-level", "WARNING"],
        DEBUG="false",
        HTTPS="true",
        SECRET_KEY="k" * 10 + "Zx8!pQ2#vL7@mN4$rT6%yU1^wE3&iO5*aS9(dF0)gH-jK_lB+cV=nM" + "q" * 10,
        ALLOWED_HOSTS="sqf.example.kz",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_https_without_a_secret_key_refuses_to_start() -> None:
    result = _manage(["check"], HTTPS="true")
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr
