"""Django's and the libraries' strings read in Kazakh and Russian (locale_overrides/)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import translation

from tests.english_phrases import english_on

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]|%[sd]|\{\w*\}")


def _entries(po: Path) -> list[tuple[str, list[str]]]:
    text = po.read_text(encoding="utf-8")
    out = []
    for block in text.split("\n\n"):
        ids = re.findall(r'^msgid "(.*)"$', block, re.M)
        strs = re.findall(r'^msgstr(?:\[\d\])? "(.*)"$', block, re.M)
        if ids and ids[0]:
            out.append((ids[0], strs))
    return out


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_every_override_keeps_the_placeholders_of_its_msgid(lang: str) -> None:
    entries = _entries(ROOT / "locale_overrides" / lang / "LC_MESSAGES" / "django.po")
    assert len(entries) > 20
    for msgid, strs in entries:
        for s in strs:
            assert s, msgid
            assert set(PLACEHOLDER.findall(s)) == set(PLACEHOLDER.findall(msgid)), msgid


@pytest.mark.parametrize(
    ("msgid", "kk", "ru"),
    [
        ("Recent actions", "Соңғы әрекеттер", "Последние действия"),
        ("View site", "Сайтты ашу", "Открыть сайт"),
        ("Show counts", "Сандарды көрсету", "Показать счётчики"),
        (
            "Your password can’t be entirely numeric.",
            "Құпиясөз тек цифрлардан тұрмауы керек.",
            None,
        ),
        ("Your password can’t be a commonly used password.", None, None),
        ("Authentication and Authorization", "Кіру және рұқсаттар", None),
        ("Periodic Tasks", "Мерзімді тапсырмалар", None),
        ("access attempts", "кіру әрекеттері", None),
        ("Sunset", "Күн батуы", "Закат"),
        ("Invalid token. Please make sure you have entered it correctly.", None, None),
        # Django's kk catalogue says "Өзгетру" and "Дб Сб" (Сб reads as Saturday).
        ("Change", "Өзгерту", "Изменить"),
        ("Mon", "Дс", "Пн"),
        ("Tue", "Сс", "Вт"),
    ],
)
def test_library_strings_are_translated(msgid: str, kk: str | None, ru: str | None) -> None:
    for lang, expected in (("kk", kk), ("ru", ru)):
        with translation.override(lang):
            got = translation.gettext(msgid)
        assert got != msgid, (lang, msgid)
        if expected:
            assert got == expected


def test_password_validator_plurals_are_kazakh() -> None:
    with translation.override("kk"):
        # Called through the module so makemessages does not copy the msgid into locale/.
        plural = translation.ngettext
        text = plural(
            "Your password must contain at least %(min_length)d character.",
            "Your password must contain at least %(min_length)d characters.",
            8,
        ) % {"min_length": 8}
    assert text == "Құпиясөз кемінде 8 таңбадан тұруы керек."


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_admin_home_and_library_lists_have_no_english(personas, lang: str) -> None:
    client = personas.client_for(personas.admin)
    client.cookies["sqf_language"] = lang
    pages = [
        "/admin/",
        "/admin/axes/accessattempt/",
        "/admin/django_celery_beat/crontabschedule/",
        "/admin/django_celery_beat/periodictask/add/",
        "/admin/axes/accesslog/",
        "/admin/django_celery_beat/intervalschedule/",
        "/admin/auth/group/add/",
        "/admin/password_change/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        text = re.sub(r"<[^>]+>", " ", response.content.decode())
        text = re.sub(r"<script.*?</script>", " ", text, flags=re.S)
        assert english_on(text) == [], (lang, url, english_on(text))
