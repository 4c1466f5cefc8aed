"""Benchmark: the public registry and its API under load (gunicorn + locust, headless).

  .venv/bin/python bench/registry.py [--quick] [--duration 30] [--users 20]
                                     [--workers 4] [--ref HEAD] [--keep]

Not a test: it prints figures for docs/benchmarks.md. It needs PostgreSQL at
127.0.0.1:5432 (user postgres, no password) and Redis at 127.0.0.1:6379 (database 5, the
cache; not flushed). About 5.5 min; --quick about 3 min (5 s per scenario).

1. Creates the database `sqf_bench_registry_<pid>`, runs `manage.py migrate` and
   `manage.py seed_demo` (classifiers, calendar, people and the demo SQF, whose version 1
   is published with a Publication).
2. Grows the registry to about 300 publications by copying the demo Publication and its
   PublicationTerm rows (bulk_create; it only measures reads): 250 new SQFs over 26
   sectors x 10 sub-fields, each with its own Framework and Version, 15 state bodies; 50
   of them have a superseded version 1 and a current version 2. Each copy keeps 85-100 %
   of the demo's search-text lines, except a rare quarter of them that it keeps with
   2-8 %; outside the energy sectors the energy words and OKED 35 codes are replaced by
   the sector's, and its OKED/NKZ terms are the sector's. Then ANALYZE.
3. Starts gunicorn (sync workers) on a free port with DEBUG=false (static files
   collected into a temporary folder), waits for /health/, checks every scenario
   answers 200, then per scenario runs --users locust users (FastHttpUser, no think
   time: a closed loop, like wrk's connections) for --warmup s (discarded) and
   --duration s: requests/s, p50/p95/p99/max (locust's buckets: whole ms, 2 significant
   digits above 100 ms) and failures (non-2xx and socket errors; the socket timeout is
   --timeout, 60 s, so no slow request is left out of the percentiles).
4. Counts SQL queries per request in-process (django.test.Client +
   CaptureQueriesContext, same database and settings), also for searches that match
   0, a few or many publications, times each page in-process without load, prints the
   plans of the word search's two queries (as planned, and with the trigram index
   forced), and profiles one request of the SQF page with cProfile.
5. Prints the machine and Markdown tables; stops gunicorn and drops the database at the
   end (try/finally; --keep leaves the database).

--ref REF measures that commit, exported with `git archive` into a temporary folder,
instead of the working tree (for a checkout someone is editing).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import pstats
import random
import re
import secrets
import shutil
import statistics
import string
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import _common
from _common import ROOT, pg_admin, say, wait_healthy

# The code under test: the working tree, or with --ref an exported commit (git archive).
CODE = ROOT

DB = _common.db_name("registry")
ENV = {
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}",
    "REDIS_URL": "redis://127.0.0.1:6379/5",
    "SECRET_KEY": "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(60)),
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "DEBUG": "false",
    "DJANGO_SETTINGS_MODULE": "config.settings",
}
SEED = 20261126
N_FRAMEWORKS, N_SUPERSEDED = 250, 50

# --- the registry's shape -----------------------------------------------------------------------

# State bodies added beside the demo's two (kk, ru, en).
MINISTRIES = {
    "industry": (
        "Қазақстан Республикасының Өнеркәсіп және құрылыс министрлігі",
        "Министерство промышленности и строительства Республики Казахстан",
        "Ministry of Industry and Construction of the Republic of Kazakhstan",
    ),
    "transport": (
        "Қазақстан Республикасының Көлік министрлігі",
        "Министерство транспорта Республики Казахстан",
        "Ministry of Transport of the Republic of Kazakhstan",
    ),
    "digital": (
        "Қазақстан Республикасының Цифрлық даму, инновациялар және аэроғарыш өнеркәсібі министрлігі",
        "Министерство цифрового развития, инноваций и аэрокосмической промышленности Республики Казахстан",
        "Ministry of Digital Development, Innovation and Aerospace Industry of the Republic of Kazakhstan",
    ),
    "health": (
        "Қазақстан Республикасының Денсаулық сақтау министрлігі",
        "Министерство здравоохранения Республики Казахстан",
        "Ministry of Healthcare of the Republic of Kazakhstan",
    ),
    "education": (
        "Қазақстан Республикасының Оқу-ағарту министрлігі",
        "Министерство просвещения Республики Казахстан",
        "Ministry of Education of the Republic of Kazakhstan",
    ),
    "trade": (
        "Қазақстан Республикасының Сауда және интеграция министрлігі",
        "Министерство торговли и интеграции Республики Казахстан",
        "Ministry of Trade and Integration of the Republic of Kazakhstan",
    ),
    "tourism": (
        "Қазақстан Республикасының Туризм және спорт министрлігі",
        "Министерство туризма и спорта Республики Казахстан",
        "Ministry of Tourism and Sports of the Republic of Kazakhstan",
    ),
    "finance": (
        "Қазақстан Республикасының Қаржы министрлігі",
        "Министерство финансов Республики Казахстан",
        "Ministry of Finance of the Republic of Kazakhstan",
    ),
    "water": (
        "Қазақстан Республикасының Су ресурстары және ирригация министрлігі",
        "Министерство водных ресурсов и ирригации Республики Казахстан",
        "Ministry of Water Resources and Irrigation of the Republic of Kazakhstan",
    ),
    "ecology": (
        "Қазақстан Республикасының Экология және табиғи ресурстар министрлігі",
        "Министерство экологии и природных ресурсов Республики Казахстан",
        "Ministry of Ecology and Natural Resources of the Republic of Kazakhstan",
    ),
    "economy": (
        "Қазақстан Республикасының Ұлттық экономика министрлігі",
        "Министерство национальной экономики Республики Казахстан",
        "Ministry of National Economy of the Republic of Kazakhstan",
    ),
    "labour": (
        "Қазақстан Республикасының Еңбек және халықты әлеуметтік қорғау министрлігі",
        "Министерство труда и социальной защиты населения Республики Казахстан",
        "Ministry of Labour and Social Protection of the Population of the Republic of Kazakhstan",
    ),
    "emergency": (
        "Қазақстан Республикасының Төтенше жағдайлар министрлігі",
        "Министерство по чрезвычайным ситуациям Республики Казахстан",
        "Ministry of Emergency Situations of the Republic of Kazakhstan",
    ),
}

# (kk, ru, family, ministry, token replacing energy words, OKED section..subclass, NKZ unit groups)
# family "energy": the demo's text and terms; "electro": the demo's text (it speaks of
# electricity) with its own OKED; "other": energy words and OKED 35 codes replaced.
SECTORS = [
    ("Электр энергетикасы", "Электроэнергетика", "energy", "energy", "", (), ()),
    ("Жылу энергетикасы", "Теплоэнергетика", "energy", "energy", "", (), ()),
    ("Гидроэнергетика", "Гидроэнергетика", "energy", "energy", "", (), ()),
    ("Жаңартылатын энергетика", "Возобновляемая энергетика", "energy", "energy", "", (), ()),
    ("Электр желілері", "Электрические сети", "energy", "energy", "", (), ()),
    ("Атом энергетикасы", "Атомная энергетика", "energy", "energy", "", (), ()),
    (
        "Электр техникалық өнеркәсіп",
        "Электротехническая промышленность",
        "electro",
        "industry",
        "",
        ("C", "27", "271", "2711", "27110"),
        ("7412", "8212"),
    ),
    (
        "Металлургия",
        "Металлургия",
        "other",
        "industry",
        "металлург",
        ("C", "24", "241", "2410", "24101"),
        ("8121", "2146"),
    ),
    (
        "Тау-кен өндірісі",
        "Горнодобывающая промышленность",
        "other",
        "industry",
        "горнорудн",
        ("B", "07", "072", "0729", "07291"),
        ("8111", "3117"),
    ),
    (
        "Мұнай-газ саласы",
        "Нефтегазовая отрасль",
        "other",
        "energy",
        "нефтегаз",
        ("B", "06", "061", "0610", "06100"),
        ("8113", "2145"),
    ),
    (
        "Құрылыс",
        "Строительство",
        "other",
        "industry",
        "строительн",
        ("F", "41", "412", "4120", "41201"),
        ("7112", "2142"),
    ),
    (
        "Ауыл шаруашылығы",
        "Сельское хозяйство",
        "other",
        "agriculture",
        "агропромышлен",
        ("A", "01", "011", "0111", "01111"),
        ("6111", "2132"),
    ),
    (
        "Көлік және логистика",
        "Транспорт и логистика",
        "other",
        "transport",
        "логистическ",
        ("H", "49", "494", "4941", "49410"),
        ("8332", "4323"),
    ),
    (
        "Темір жол көлігі",
        "Железнодорожный транспорт",
        "other",
        "transport",
        "железнодорожн",
        ("H", "49", "491", "4910", "49100"),
        ("8311", "3154"),
    ),
    (
        "Ақпараттық-коммуникациялық технологиялар",
        "Информационно-коммуникационные технологии",
        "other",
        "digital",
        "цифров",
        ("J", "62", "620", "6201", "62010"),
        ("2512", "3512"),
    ),
    (
        "Байланыс",
        "Связь",
        "other",
        "digital",
        "телекоммуникацион",
        ("J", "61", "611", "6110", "61100"),
        ("3522", "7422"),
    ),
    (
        "Денсаулық сақтау",
        "Здравоохранение",
        "other",
        "health",
        "медицинск",
        ("Q", "86", "861", "8610", "86100"),
        ("2221", "3221"),
    ),
    (
        "Білім беру",
        "Образование",
        "other",
        "education",
        "педагогическ",
        ("P", "85", "853", "8532", "85320"),
        ("2320", "2341"),
    ),
    (
        "Машина жасау",
        "Машиностроение",
        "other",
        "industry",
        "машиностроительн",
        ("C", "28", "281", "2811", "28110"),
        ("7223", "2144"),
    ),
    (
        "Химия өнеркәсібі",
        "Химическая промышленность",
        "other",
        "industry",
        "химическ",
        ("C", "20", "201", "2013", "20130"),
        ("8131", "2113"),
    ),
    (
        "Тамақ өнеркәсібі",
        "Пищевая промышленность",
        "other",
        "agriculture",
        "пищев",
        ("C", "10", "105", "1051", "10510"),
        ("7513", "8160"),
    ),
    (
        "Жеңіл өнеркәсіп",
        "Лёгкая промышленность",
        "other",
        "trade",
        "текстильн",
        ("C", "14", "141", "1413", "14130"),
        ("7533", "8153"),
    ),
    (
        "Туризм",
        "Туризм",
        "other",
        "tourism",
        "туристск",
        ("I", "55", "551", "5510", "55101"),
        ("4221", "5113"),
    ),
    (
        "Қаржы қызметтері",
        "Финансовые услуги",
        "other",
        "finance",
        "финансов",
        ("K", "64", "641", "6419", "64191"),
        ("2412", "3311"),
    ),
    (
        "Су шаруашылығы",
        "Водное хозяйство",
        "other",
        "water",
        "водохозяйствен",
        ("E", "36", "360", "3600", "36000"),
        ("3132", "7126"),
    ),
    (
        "Экология және табиғатты пайдалану",
        "Экология и природопользование",
        "other",
        "ecology",
        "природоохранн",
        ("E", "38", "381", "3811", "38110"),
        ("2133", "3257"),
    ),
]
QUALIFIERS = [
    ("пайдалану", "эксплуатация"),
    ("жөндеу және техникалық қызмет көрсету", "ремонт и техническое обслуживание"),
    ("жобалау", "проектирование"),
    ("құрылыс және монтаждау", "строительство и монтаж"),
    ("басқару", "управление"),
    ("сату және қызмет көрсету", "продажи и обслуживание"),
    ("сапаны бақылау", "контроль качества"),
    ("өндірістік қауіпсіздік", "промышленная безопасность"),
    ("цифрлық технологиялар", "цифровые технологии"),
    ("кадрларды даярлау", "подготовка кадров"),
]
ENERGY_WORDS = re.compile(r"\w*(?:электр|энерг|electr|energ)\w*")
OKED35 = re.compile(r"\b35(\d{1,3})\b")
CODE_UNDER_TEST = (
    "sbsh/publication",
    "registry",
    "sbsh/api.py",
    "sbsh/models.py",
    "sbsh/document/models.py",
    "exports/layout.py",
    "templates/registry",
    "templates/exports",
    "templates/base.html",
    "config",
)
# NKZ branches of the demo that only energy SQFs keep.
ENERGY_NKZ = ("2151", "3121", "741", "742", "818")

# --- the load -----------------------------------------------------------------------------------


def manage(*args: str) -> str:
    """manage.py of the code under test (the checkout, or the exported --ref)."""
    return _common.manage(*args, cwd=CODE)


def machine(ref: str | None) -> dict:
    """What this benchmark adds to the machine line of bench/_common.py."""
    from importlib.metadata import version

    import django

    import sbsh

    def run(*cmd: str) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True).stdout.strip()
        except OSError:
            return "?"

    return {
        "django": django.get_version(),
        "gunicorn": version("gunicorn"),
        "locust": version("locust"),
        "code": (
            f"commit {run('git', '-C', str(ROOT), 'rev-parse', '--short', ref)} ({ref}, exported)"
            if ref
            else f"working tree at {run('git', '-C', str(ROOT), 'rev-parse', '--short', 'HEAD')}"
        ),
        "imported_from": str(Path(sbsh.__file__).resolve().parents[1]),
        # The checkout is shared: say whether the code under test differs from the commit.
        "uncommitted": []
        if ref
        else run(
            "git", "-C", str(ROOT), "status", "--porcelain", "--", *CODE_UNDER_TEST
        ).splitlines(),
    }


# --- seeding ------------------------------------------------------------------------------------


def seed_registry(rng: random.Random) -> dict:
    """About 300 publications copied from the demo's (see the module docstring)."""
    from django.db import connection, transaction

    from councils.models import Organisation
    from sbsh.document.content import content_hash
    from sbsh.models import Framework, Publication, PublicationTerm, Version
    from sbsh.publication.services import change_summary

    demo = Publication.objects.select_related("framework", "state_body").get()
    demo_terms = sorted(demo.terms.values_list("kind", "value"))
    body_demo = demo.state_body
    header = {
        s.lower()
        for s in (
            demo.content["name"]["kk"],
            demo.content["name"]["ru"],
            demo.content["framework"]["sector"]["kk"],
            demo.content["framework"]["sector"]["ru"],
            body_demo.name_kk,
            body_demo.name_ru,
            body_demo.name_en,
        )
    }
    body_lines = [line for line in demo.search_text.split("\n") if line not in header]
    # A quarter of the text (every fourth kk/ru pair of lines) is rare: each SQF keeps it
    # with a probability of 2-8 %, so its words match a few SQFs ("трансформатор").
    rare = {i for i in range(len(body_lines)) if (i // 2) % 4 == 3}

    with transaction.atomic():
        bodies = {
            "energy": body_demo,
            "agriculture": Organisation.objects.get(
                kind=Organisation.Kind.STATE_BODY, short_name="МСХ"
            ),
        }
        created = Organisation.objects.bulk_create(
            [
                Organisation(kind=Organisation.Kind.STATE_BODY, name_kk=kk, name_ru=ru, name_en=en)
                for kk, ru, en in MINISTRIES.values()
            ]
        )
        bodies.update(zip(MINISTRIES, created, strict=True))
        council = demo.framework.council

        combos = rng.sample(
            [(s, q) for s in range(len(SECTORS)) for q in range(len(QUALIFIERS))], N_FRAMEWORKS
        )
        superseded = set(rng.sample(range(N_FRAMEWORKS), N_SUPERSEDED))
        start = dt.datetime(2023, 1, 10, 9, 0, tzinfo=dt.UTC)
        span = (dt.datetime(2026, 11, 20, tzinfo=dt.UTC) - start).total_seconds()

        plans = []
        for i, (s_i, q_i) in enumerate(combos):
            kk, ru, family, ministry, token, oked, nkz = SECTORS[s_i]
            qkk, qru = QUALIFIERS[q_i]
            plans.append(
                {
                    "sector": (f"{kk} ({qkk})", f"{ru} ({qru})"),
                    "name": (
                        f"«{kk} ({qkk})» салалық біліктілік шеңбері",
                        f"Отраслевая рамка квалификаций «{ru} ({qru})»",
                    ),
                    "family": family,
                    "body": bodies[ministry],
                    "token": token,
                    "oked": oked,
                    "nkz": nkz,
                    "times": sorted(
                        start + dt.timedelta(seconds=rng.random() * span)
                        for _ in range(2 if i in superseded else 1)
                    ),
                }
            )
        frameworks = Framework.objects.bulk_create(
            [
                Framework(
                    state_body=p["body"],
                    council=council,
                    sector_kk=p["sector"][0],
                    sector_ru=p["sector"][1],
                    created_at=p["times"][0] - dt.timedelta(days=200),
                )
                for p in plans
            ]
        )
        versions = Version.objects.bulk_create(
            [
                Version(
                    framework=fw,
                    number=n,
                    status=(
                        Version.Status.SUPERSEDED
                        if n < len(p["times"])
                        else Version.Status.PUBLISHED
                    ),
                    name_kk=p["name"][0],
                    name_ru=p["name"][1],
                    approved_on=(t - dt.timedelta(days=30)).date(),
                )
                for p, fw in zip(plans, frameworks, strict=True)
                for n, t in enumerate(p["times"], start=1)
            ]
        )
        version_of = {(v.framework_id, v.number): v for v in versions}

        def search_text(p: dict) -> str:
            lines = [
                *p["name"],
                *p["sector"],
                p["body"].name_kk,
                p["body"].name_ru,
                p["body"].name_en,
            ]
            keep, keep_rare = rng.uniform(0.85, 1.0), rng.uniform(0.02, 0.08)
            for i, line in enumerate(body_lines):
                if rng.random() < (keep_rare if i in rare else keep):
                    if p["family"] == "other":
                        line = ENERGY_WORDS.sub(p["token"], line)
                        line = OKED35.sub(lambda m, d=p["oked"][1]: d + m.group(1), line)
                    lines.append(line)
            seen: set[str] = set()
            unique = []
            for line in lines:
                line = " ".join(line.split()).lower()
                if line and line not in seen:
                    seen.add(line)
                    unique.append(line)
            return "\n".join(unique)

        def terms(p: dict) -> set[tuple[str, str]]:
            if p["family"] == "energy":
                return set(demo_terms)
            found = {
                (k, v)
                for k, v in demo_terms
                if k != PublicationTerm.Kind.OKED
                and not (
                    k == PublicationTerm.Kind.NKZ
                    and p["family"] == "other"
                    and v.startswith(ENERGY_NKZ)
                )
            }
            found |= {(PublicationTerm.Kind.OKED, c) for c in p["oked"]}
            for code in p["nkz"]:
                found |= {(PublicationTerm.Kind.NKZ, code[:n]) for n in range(1, 5)}
            return found

        demo_json = json.dumps(demo.content, ensure_ascii=False)
        n_pubs = n_terms = 0
        batch: list[tuple[Publication, set]] = []

        def flush() -> None:
            nonlocal n_pubs, n_terms
            made = Publication.objects.bulk_create([pub for pub, _t in batch])
            rows = [
                PublicationTerm(publication=pub, kind=k, value=v)
                for pub, (_p, found) in zip(made, batch, strict=True)
                for k, v in sorted(found)
            ]
            PublicationTerm.objects.bulk_create(rows, batch_size=2000)
            n_pubs += len(made)
            n_terms += len(rows)
            batch.clear()

        for p, fw in zip(plans, frameworks, strict=True):
            previous = None
            for n, published_at in enumerate(p["times"], start=1):
                version = version_of[(fw.pk, n)]
                content = json.loads(demo_json)
                content["name"] = {"kk": p["name"][0], "ru": p["name"][1]}
                content["framework"]["sector"] = {"kk": p["sector"][0], "ru": p["sector"][1]}
                content["framework"]["state_body"] = {
                    "kk": p["body"].name_kk,
                    "ru": p["body"].name_ru,
                }
                content["version"] = {
                    **content["version"],
                    "number": n,
                    "approved_on": version.approved_on.isoformat(),
                }
                later = p["times"][n] if n < len(p["times"]) else None
                pub = Publication(
                    version=version,
                    framework=fw,
                    state_body=p["body"],
                    number=n,
                    name_kk=p["name"][0],
                    name_ru=p["name"][1],
                    published_at=published_at,
                    superseded_at=later,
                    content=content,
                    content_sha256=content_hash(content),
                    change_summary=change_summary(previous, content),
                    search_text=search_text(p),
                )
                batch.append((pub, terms(p)))
                previous = content
                if len(batch) >= 25:
                    flush()
        if batch:
            flush()
    with connection.cursor() as cur:
        # bulk_create skips what publication_create does after the insert: the tsvector
        # the word search reads (sbsh/publication/services.py), when the schema has it.
        cur.execute(
            "SELECT 1 FROM information_schema.columns "
            "WHERE table_name = 'sbsh_publication' AND column_name = 'search_vector'"
        )
        if cur.fetchone():
            cur.execute(
                "UPDATE sbsh_publication SET search_vector = to_tsvector('simple', search_text) "
                "WHERE search_vector IS NULL"
            )
        cur.execute("ANALYZE")
        cur.execute("SELECT pg_size_pretty(pg_total_relation_size('sbsh_publication'))")
        size = cur.fetchone()[0]
    return {
        "publications": Publication.objects.count(),
        "current": Publication.objects.filter(superseded_at__isnull=True).count(),
        "superseded": Publication.objects.filter(superseded_at__isnull=False).count(),
        "frameworks": Framework.objects.count(),
        "state_bodies": Organisation.objects.filter(kind=Organisation.Kind.STATE_BODY).count(),
        "terms": PublicationTerm.objects.count(),
        "new_publications": n_pubs,
        "new_terms": n_terms,
        "search_text_chars_avg": int(
            statistics.mean(
                len(t) for t in Publication.objects.values_list("search_text", flat=True)
            )
        ),
        "publication_table_size": size,
    }


# --- measuring ----------------------------------------------------------------------------------


def scenarios() -> list[tuple[str, str, str]]:
    """(key, label, path) of each scenario, from the seeded data."""
    from sbsh.models import Publication

    demo = Publication.objects.order_by("pk").first()
    q = urllib.parse.quote
    return [
        (
            "a",
            "(a) registry search, Kazakh word «энергетикасы»",
            f"/registry/?q={q('энергетикасы')}",
        ),
        (
            "b",
            "(b) registry search, Russian word «электроэнергии» + OKED 35",
            f"/registry/?q={q('электроэнергии')}&oked=35",
        ),
        ("c", "(c) registry, NKZ code filter 2151", "/registry/?nkz=2151"),
        ("d", "(d) SQF page of the demo (whole SQF as HTML)", f"/registry/{demo.framework_id}/"),
        (
            "e",
            "(e) API list, word «трансформатор»",
            f"/api/registry/publications/?q={q('трансформатор')}",
        ),
        ("f", "(f) API detail with content", f"/api/registry/publications/{demo.pk}/"),
        ("g", "(g) JSON feed", "/registry/feed.json"),
    ]


def matches(path: str) -> int | None:
    """How many publications the list or API search behind `path` finds (None otherwise)."""
    from django.http import QueryDict

    from sbsh.publication import services as registry

    url = urllib.parse.urlsplit(path)
    if url.path not in ("/registry/", "/api/registry/publications/"):
        return None
    g = QueryDict(url.query)
    return registry.publications_search(
        registry.Filters(
            q=g.get("q", ""),
            oked=g.get("oked", ""),
            nkz=g.get("nkz", ""),
            sqf_level=g.get("sqf_level", ""),
            nqf_level=g.get("nqf_level", ""),
            include_superseded=g.get("superseded") in ("1", "true"),
        )
    ).count()


def in_process(paths: list[str], repeat: int = 10) -> dict[str, dict]:
    """Queries per request (second request of each path) and in-process timings, no load."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    out = {}
    for path in paths:
        client.get(path)  # first request: caches, templates
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        # Copy now: the next request's request_started signal empties the query log.
        captured = list(ctx.captured_queries)
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - t0) * 1000)
        sql_ms = sum(float(q["time"]) for q in captured) * 1000
        out[path] = {
            "status": response.status_code,
            "queries": len(captured),
            "sql": [q["sql"][:160] for q in captured],
            "sql_ms": sql_ms,
            "median_ms": statistics.median(times),
            "bytes": len(response.content),
        }
    return out


def plans(words: list[str]) -> str:
    """EXPLAIN ANALYZE of the two queries of a word search (the paginator's COUNT and the
    page), as planned and with the trigram index forced: seq and plain index scans off,
    and the superseded_at index dropped inside a transaction that is rolled back, so
    only a bitmap scan of the trigram index is left. Run before gunicorn starts (DROP
    INDEX takes a lock)."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from sbsh.publication import services as registry

    with connection.cursor() as cur:
        cur.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'sbsh_publication'"
            " AND indexdef LIKE '%(superseded_at)'"
        )
        superseded_indexes = [row[0] for row in cur.fetchall()]
    out = []
    for word in words:
        qs = registry.publications_search(registry.Filters(q=word))
        with CaptureQueriesContext(connection) as ctx:
            qs.count()
            list(qs[:20])
        sqls = [q["sql"] for q in ctx.captured_queries]
        for kind, sql in zip(("count", "page"), sqls, strict=True):
            for label, force in (("as planned", False), ("trigram index forced", True)):
                with transaction.atomic(), connection.cursor() as cur:
                    if force:
                        cur.execute("SET LOCAL enable_seqscan = off")
                        cur.execute("SET LOCAL enable_indexscan = off")
                        for name in superseded_indexes:
                            cur.execute(f'DROP INDEX "{name}"')
                    cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                    plan = "\n".join(row[0] for row in cur.fetchall())
                    transaction.set_rollback(True)
                out.append(f"--- {word!r} {kind}, {label}\n{plan}")
    return "\n".join(out)


def plan_summary(text: str) -> list[str]:
    """The node that applies the LIKE, and the execution time, of each plan of `plans`."""
    lines = []
    for block in text.split("--- ")[1:]:
        rows = block.splitlines()
        scan = "?"
        for i, line in enumerate(rows):
            if re.search(r"Scan", line) and any("~~" in r for r in rows[i + 1 : i + 3]):
                scan = line.strip().removeprefix("-> ").split("  (")[0]
                removed = next((r.strip() for r in rows[i + 1 : i + 6] if "Removed by" in r), "")
                scan += f" ({removed})" if removed else ""
                break
        ms = re.search(r"Execution Time: ([\d.]+) ms", block)
        lines.append(f"{rows[0]}: {scan}; {ms.group(1) if ms else '?'} ms")
    return lines


def profile(path: str, top: int = 25) -> str:
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.get(path)
    profiler = cProfile.Profile()
    t0 = time.perf_counter()
    profiler.runcall(client.get, path)
    wall = (time.perf_counter() - t0) * 1000
    buf = io.StringIO()
    stats = pstats.Stats(profiler, stream=buf)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return f"profiled {path}: {wall:.0f} ms under cProfile\n" + buf.getvalue()


def fetch(url: str) -> tuple[int, int]:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, len(r.read())
    except urllib.error.HTTPError as e:
        return e.code, len(e.read())


def run_load(args: argparse.Namespace, url: str) -> dict:
    """--users locust users on one URL: --warmup s discarded, then --duration s."""
    return _common.locust(
        url, "", args.users, args.duration, warmup=args.warmup, timeout=args.timeout
    )


def main() -> int:
    parser = _common.parser(__doc__, quick="5 s per scenario after 2 s of warm-up")
    parser.add_argument("--duration", type=float, default=30, help="seconds per scenario")
    parser.add_argument("--warmup", type=float, default=5, help="seconds, not counted")
    parser.add_argument("--users", type=int, default=20, help="concurrent locust users")
    parser.add_argument("--timeout", type=float, default=60, help="socket timeout, s")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--ref",
        help="measure this commit (exported with git archive into a temporary folder) "
        "instead of the working tree, e.g. HEAD while someone is editing the checkout",
    )
    args = parser.parse_args()
    if args.quick:
        args.duration, args.warmup = 5, 2

    os.environ.update(ENV)
    tmp = Path(tempfile.mkdtemp(prefix="sqf-bench-registry-"))
    os.environ["STATIC_ROOT"] = str(tmp / "static")
    gunicorn: subprocess.Popen | None = None
    failures: list[str] = []
    django_ready = False
    global CODE
    try:
        if args.ref:
            CODE = tmp / "code"
            CODE.mkdir()
            archive = subprocess.run(
                ["git", "-C", str(ROOT), "archive", "--format=tar", args.ref],
                capture_output=True,
                check=True,
            ).stdout
            subprocess.run(["tar", "-x", "-C", str(CODE)], input=archive, check=True)
            say(f"code under test: {args.ref} exported to {CODE}")
        # Celery's Django fix-up puts the working directory first on sys.path.
        os.chdir(CODE)
        sys.path.insert(0, str(CODE))
        t0 = time.perf_counter()
        manage("collectstatic", "--noinput", "-v0")
        say(f"collectstatic into {tmp / 'static'}: {time.perf_counter() - t0:.0f} s")
        say(f"database {DB}: create, migrate, seed_demo")
        _common.create_database(DB, seed_demo=True, cwd=CODE)

        import django

        django.setup()
        django_ready = True
        import sbsh

        if Path(sbsh.__file__).resolve().parents[1] != CODE.resolve():
            raise SystemExit(f"sbsh was imported from {sbsh.__file__}, not from {CODE}")
        _common.print_machine(**machine(args.ref))
        t0 = time.perf_counter()
        shape = seed_registry(random.Random(SEED))
        say(f"registry seeded in {time.perf_counter() - t0:.1f} s:", json.dumps(shape))

        plan = scenarios()
        found = {key: matches(path) for key, _label, path in plan}
        say("publications found per scenario:", json.dumps(found))

        # Query counts must not depend on how many publications a search finds.
        q = urllib.parse.quote
        variants = {
            "list": [
                "/registry/?q=zzzqqq",
                f"/registry/?q={q('трансформатор')}",
                f"/registry/?q={q('электр')}",
                "/registry/",
                "/registry/?superseded=1",
            ],
            "api": [
                "/api/registry/publications/?q=zzzqqq",
                f"/api/registry/publications/?q={q('трансформатор')}",
                f"/api/registry/publications/?q={q('электр')}",
                "/api/registry/publications/",
                "/api/registry/publications/?superseded=true",
            ],
        }
        check = in_process([p for ps in variants.values() for p in ps], repeat=3)
        say("\nqueries vs number of results (in-process):")
        say("| request | found | queries |")
        say("|---|---:|---:|")
        for kind, paths in variants.items():
            # An empty result skips the page query (Django does not run a [0:0] slice), so
            # only searches that find something must agree.
            # A word search runs its own id lookup (GIN index, its own transaction), so
            # searches and plain lists are compared each among themselves.
            counts: dict[bool, set[int]] = {True: set(), False: set()}
            for path in paths:
                n = matches(path)
                if n:
                    counts["q=" in path].add(check[path]["queries"])
                say(f"| `{urllib.parse.unquote(path)}` | {n} | {check[path]['queries']} |")
            for searched, seen in counts.items():
                if len(seen) != 1:
                    what = "search" if searched else "list"
                    failures.append(
                        f"{kind} {what}: query count depends on the results: {sorted(seen)}"
                    )

        local = in_process([path for _k, _l, path in plan])
        for _key, _label, path in plan:
            if local[path]["status"] != 200:
                failures.append(f"in-process {path}: HTTP {local[path]['status']}")
        explained = plans(["энергетикасы", "трансформатор"])
        (tmp / "plans.txt").write_text(explained)
        sqf_path = next(path for key, _l, path in plan if key == "d")
        prof = profile(sqf_path)
        (tmp / "profile-sqf.txt").write_text(prof)

        # gunicorn in its own process group, the same environment.
        from django.db import connections

        connections.close_all()
        log = tmp / "gunicorn.log"
        base, gunicorn = _common.start_gunicorn(
            os.environ.copy(),
            log,
            workers=args.workers,
            cwd=CODE,
            extra=("--log-level", "warning"),
        )
        wait_healthy(base, gunicorn, log)
        say(f"\ngunicorn pid {gunicorn.pid}, {args.workers} sync workers on {base}")

        results = {}
        for key, label, path in plan:
            status, size = fetch(base + path)
            if status != 200:
                failures.append(f"{path}: HTTP {status} before the load")
            load0 = os.getloadavg()[0]
            r = run_load(args, base + path)
            r.update(status=status, size=size, load=load0)
            results[key] = r
            if r["failures"]:
                failures.append(f"{path}: {r['failures']} failed requests: {r['errors']}")
            say(
                f"{label}: {r['requests']} requests, {r['rps']:.1f} req/s, p50 {r['p50']:.0f} ms, "
                f"p95 {r['p95']:.0f} ms, p99 {r['p99']:.0f} ms, failures {r['failures']} "
                f"(load {load0:.2f})"
            )
        server_log = log.read_text(errors="replace")
        tracebacks = server_log.count("Traceback")
        if tracebacks:
            failures.append(f"gunicorn log has {tracebacks} tracebacks (see {log})")

        say(
            f"\n{args.users} locust users, {args.duration:.0f} s per scenario after "
            f"{args.warmup:.0f} s of warm-up, {args.workers} gunicorn workers"
        )
        say("| scenario | requests/s | p50 ms | p95 ms | p99 ms | failures | queries/request |")
        say("|---|---:|---:|---:|---:|---:|---:|")
        for key, label, path in plan:
            r = results[key]
            say(
                f"| {label} | {r['rps']:.1f} | {r['p50']:.0f} | {r['p95']:.0f} "
                f"| {r['p99']:.0f} | {r['failures']} | {local[path]['queries']} |"
            )
        say(
            "\n| scenario | URL | found | response KB | in-process median ms (no load) | SQL ms | max ms under load |"
        )
        say("|---|---|---:|---:|---:|---:|---:|")
        for key, _label, path in plan:
            r, lp = results[key], local[path]
            say(
                f"| ({key}) | `{urllib.parse.unquote(path)}` | {'' if found[key] is None else found[key]} "
                f"| {r['size'] / 1024:.0f} | {lp['median_ms']:.1f} | {lp['sql_ms']:.1f} "
                f"| {r['max']:.0f} |"
            )
        say("\nSQL of one request per scenario:")
        for key, _label, path in plan:
            say(f"  ({key}) {urllib.parse.unquote(path)}")
            for sql in local[path]["sql"]:
                say(f"      {sql}")
        say("\nplans of the word search (COUNT and page queries; full text in plans.txt):")
        for line in plan_summary(explained):
            say(f"  {line}")
        say("\n" + "\n".join(prof.splitlines()[:80]))
        say(f"\nload average at the end: {os.getloadavg()}; files in {tmp} (removed unless --keep)")
    finally:
        if gunicorn is not None:
            _common.stop_group(gunicorn)
        if django_ready:
            from django.db import connections

            connections.close_all()
        if args.keep:
            say(f"database {DB} kept")
        else:
            pg_admin(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
            say(f"database {DB} dropped")
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        say("\nFAILURES:")
        for f in failures:
            say(f"  - {f}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
