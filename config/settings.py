"""Settings of the SQF workbench, all read from the environment.

With nothing set the project runs on the *embedded default*: SQLite in `var/`, Celery
tasks executed in-process, e-mail written to files in `var/sent-mail/`. Production sets
DATABASE_URL (PostgreSQL), REDIS_URL, SECRET_KEY, ALLOWED_HOSTS and HTTPS=true; see
README.md and docker-compose.yml. Bad values stop start-up with a message naming the
variable (config/env.py).
"""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp import constants as csp_constants
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("SQF_DATA_DIR", str(BASE_DIR / "var")) or BASE_DIR / "var")

DEBUG = env_bool("DEBUG", False)
HTTPS = env_bool("HTTPS", False)


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key is not None:
        if len(key) < 50 or len(set(key)) < 5:
            raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters of random text.")
        return key
    if HTTPS:
        # A production deployment must not run on a key generated on the fly.
        raise ImproperlyConfigured("SECRET_KEY is required when HTTPS=true.")
    # Embedded default: one random key kept in the local data folder, so sessions
    # survive a restart of the demo without anyone having to invent a key.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Scripts take the token from the page (base.html's hx-headers), never from the cookie.
CSRF_COOKIE_HTTPONLY = True

# The product's apps, lowest layer first: each may import only those before it
# (.importlinter, docs/architecture.md).
PROJECT_APPS = ["councils", "classifiers", "deadlines", "sbsh", "exports", "registry"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_fsm",
    "django_celery_beat",
    "config.apps.AxesConfig",
    "csp",
    "config.apps.OTPConfig",
    "config.apps.TOTPConfig",
    "config.apps.StaticConfig",
    *PROJECT_APPS,
    "config.apps.ProjectConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # NUL and control characters in paths, queries and forms (config/text.py).
    "config.middleware.InputBoundaryMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "councils.middleware.SessionTimeoutMiddleware",
    "councils.middleware.UserLanguageMiddleware",
    "councils.middleware.SecondStepMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "councils.context_processors.roles",
                "deadlines.context_processors.notifications",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
_database_url = env_url("DATABASE_URL", schemes=("postgres", "postgresql", "sqlite"))
if _database_url:
    try:
        DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
    except ValueError as exc:
        raise ImproperlyConfigured(f"Unexpected value for DATABASE_URL: {exc}") from exc
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
        # Storage is SSD: a random page costs about a sequential one. With the default (4)
        # the planner scanned 14,000 NKZ rows with LIKE instead of using the trigram index
        # for classifier search (docs/benchmarks.md). Override with PG_RANDOM_PAGE_COST.
        cost = env_str("PG_RANDOM_PAGE_COST", "1.1") or "1.1"
        try:
            float(cost)
        except ValueError:
            raise ImproperlyConfigured(
                f"Unexpected value PG_RANDOM_PAGE_COST={cost!r}: expected a number."
            ) from None
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = f"-c random_page_cost={cost}"
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "db.sqlite3",
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME")}
IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache and Celery ----------------------------------------------------------
REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss"))
CELERY_BROKER_URL = env_url("CELERY_BROKER_URL", schemes=("redis", "rediss", "memory")) or REDIS_URL
# Embedded default: no broker, so every task runs in-process at the moment it is sent.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", CELERY_BROKER_URL is None)
if CELERY_BROKER_URL is None:
    # With a host named, kombu does not warn "No hostname was supplied" at every start-up.
    CELERY_BROKER_URL = "memory://localhost//"
CELERY_TASK_EAGER_PROPAGATES = True
# Embedded default only: run a document render in a thread beside the request (tests set False).
SQF_RENDER_IN_THREAD = env_bool("SQF_RENDER_IN_THREAD", True)
# Pages of the pieces of large PDFs, kept by content hash (exports/pdf.py).
SQF_PDF_PIECES_DIR = DATA_DIR / "pdf-pieces"
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Asia/Almaty"
CELERY_TASK_TIME_LIMIT = 10 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 9 * 60
# A render lost with a crashed worker is redelivered, not forgotten.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 15 * 60}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# django-celery-beat copies these into its tables at start; administrators may retime them there.
CELERY_BEAT_SCHEDULE = {
    "deadline check (daily 06:00 Astana)": {
        "task": "deadlines.tasks.check_deadlines",
        "schedule": crontab(minute="0", hour="6"),
    },
}

# "fragments" holds the rendered rows of Tables 1 and 3 (sbsh/document/fragments.py), apart from the
# default cache so that a few hundred rows in two languages do not push out anything else.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        },
        "fragments": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "fragments",
        },
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        # In each process: ~4 KB a row, so at most ~16 MB.
        "fragments": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "fragments",
            "OPTIONS": {"MAX_ENTRIES": 4000},
        },
    }

# --- Authentication -------------------------------------------------------------------
AUTH_USER_MODEL = "councils.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A session lasts at most SESSION_COOKIE_AGE from login (absolute) and ends after
# SESSION_IDLE_SECONDS without a request (idle): councils.middleware.SessionTimeoutMiddleware.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60, minimum=300)
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 30 * 60, minimum=60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Login throttling (django-axes): 5 failures for one user name from one address lock that
# pair for 15 minutes — never forever, so nobody can lock a council member out before a
# deadline (ASVS 6.1.1); a correct password is refused during the lock.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_VERBOSE = False
AXES_USERNAME_CALLABLE = "councils.axes.login_name"

# Two-step sign-in (ASVS 6.3.3): a code from an authenticator app after the password.
# Anyone may turn it on for themselves; with SQF_MFA_REQUIRED=true (production) everyone
# must, and is led to set it up at their first sign-in. Recovery codes stand in for a lost
# phone; an administrator can reset it. django-otp slows down guessing by itself.
SQF_MFA_REQUIRED = env_bool("SQF_MFA_REQUIRED", False)
OTP_TOTP_ISSUER = "SQF workbench"

# --- Internationalisation -------------------------------------------------------------
# Kazakh is the default interface language (state language); Russian and English follow.
LANGUAGE_CODE = "kk"
LANGUAGES = [("kk", "Қазақша"), ("ru", "Русский"), ("en", "English")]
# SQF_LOCALE_DIR lets the locale test extract messages into a scratch copy.
# locale_overrides/ fills and corrects Django's and the libraries' kk/ru catalogues (the
# admin, password validators, django-axes, django-celery-beat, django-otp). Listed second:
# the project's own catalogue wins, the overrides beat every installed app's catalogue.
LOCALE_PATHS = [
    Path(env_str("SQF_LOCALE_DIR", str(BASE_DIR / "locale")) or BASE_DIR / "locale"),
    BASE_DIR / "locale_overrides",
]
LANGUAGE_COOKIE_NAME = "sqf_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Asia/Almaty"
USE_I18N = True
USE_TZ = True

# --- Static files: every asset is served by the app itself, no CDN -----------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")) or "")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")) or "")
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Uploads: kept small and parsed defensively by the importers.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)
# A council's protocol scan attached to a decision (PDF).
SQF_PROTOCOL_MAX_BYTES = env_int("SQF_PROTOCOL_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)

# Electronic digital signatures (ЭЦП) of the hand-over documents (Rules §14, Law 370-II
# Art. 7): signed in the browser with NCALayer, checked by NCANode (chain to the NCA, OCSP,
# time stamp) at SQF_NCANODE_URL. With SQF_SIGNATURES_REQUIRED=true the documents cannot be
# sent unsigned.
SQF_NCANODE_URL = env_str("SQF_NCANODE_URL", "")
SQF_NCANODE_TIMEOUT = env_int("SQF_NCANODE_TIMEOUT", 15, minimum=1)
SQF_SIGNATURE_MAX_BYTES = env_int("SQF_SIGNATURE_MAX_BYTES", 256 * 1024, minimum=4096)
SQF_SIGNATURES_REQUIRED = env_bool("SQF_SIGNATURES_REQUIRED", False)
if SQF_SIGNATURES_REQUIRED and not SQF_NCANODE_URL:
    raise ImproperlyConfigured("SQF_SIGNATURES_REQUIRED=true needs SQF_NCANODE_URL (NCANode).")
# NCALayer listens on the signer's own computer; the documents page may talk to it.
SQF_NCALAYER_ORIGINS = ["wss://127.0.0.1:13579", "https://127.0.0.1:24680"]  # + KAZTOKEN

# --- E-mail ---------------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "sqf-workbench@localhost")
# The address people open the workbench at, for links in e-mails.
SITE_URL = (env_str("SITE_URL", "http://localhost:8000") or "").rstrip("/")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = 20
else:
    # Embedded default: messages land as files that a newcomer can open.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DATA_DIR / "sent-mail"

# --- Security -------------------------------------------------------------------------
# Content-Security-Policy (django-csp): scripts only from the app itself, no inline
# script anywhere; styles allow inline attributes (the SQF document's table widths).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp_constants.SELF],
        "script-src": [csp_constants.SELF],
        "style-src": [csp_constants.SELF, csp_constants.UNSAFE_INLINE],
        "img-src": [csp_constants.SELF, "data:"],
        "font-src": [csp_constants.SELF],
        "connect-src": [csp_constants.SELF],
        "object-src": [csp_constants.NONE],
        "base-uri": [csp_constants.NONE],
        "frame-ancestors": [csp_constants.NONE],
        "form-action": [csp_constants.SELF],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if HTTPS:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- REST framework -------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # Other systems: `python manage.py drf_create_token USER`, then
        # "Authorization: Token <key>".
        "rest_framework.authentication.TokenAuthentication",
    ],
    "EXCEPTION_HANDLER": "sbsh.api.exception_handler",
    # Text normalised, NUL refused, deep JSON refused (config/parsers.py, config/text.py).
    "DEFAULT_PARSER_CLASSES": [
        "config.parsers.JSONParser",
        "config.parsers.FormParser",
        "config.parsers.MultiPartParser",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SQF workbench API",
    "DESCRIPTION": (
        "Sectoral qualification frameworks under Order No. 384 of 14 September 2023. "
        "The registry and the classifiers are public; everything else needs a session or "
        "a token (`Authorization: Token <key>`)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    # Swagger UI and ReDoc from drf-spectacular-sidecar, served by the app (no CDN).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint logs every page it lays out at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Admin e-mail for errors; a name and an address per item, "Name <a@b>" not needed.
ADMINS = [("Administrator", a) for a in env_list("ADMIN_EMAILS", [])]

SITE_NAME = _("SQF workbench")
