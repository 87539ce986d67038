"""Settings shared by every environment. Values come from the environment (see README)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from django.utils.translation import gettext_lazy as _

django_stubs_ext.monkeypatch()  # ModelAdmin[Model] etc. at run time, for typed admin classes

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(os.environ.get("KESU_DATA_DIR", BASE_DIR / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get("KESU_SECRET_KEY", "kesu-insecure-development-key-change-me")
DEBUG = env_bool("KESU_DEBUG", False)
ALLOWED_HOSTS = [h for h in os.environ.get("KESU_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("KESU_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # its bundled Swagger UI assets: the API docs page loads with no request leaving the machine
    "kesu.core",
    "kesu.accounts",
    "kesu.customers",
    "kesu.triage",
    "kesu.complaints",
    "kesu.deadlines",
    "kesu.resolution",
    "kesu.notifications",
    "kesu.supervision",
    # --- major incidents and money at the desk (issue 13) ---
    "kesu.incidents",
    "kesu.compensation",
    "kesu.desk",
    "kesu.reports",
    "kesu.audit",
    "kesu.operations",
    # --- imports and complaint platforms (issue 12, parts 5-8) ---
    "kesu.imports",
    "kesu.platforms",
    "kesu.api",
    "kesu.web",
    "kesu.portal",
    "kesu.channels",
]

MIDDLEWARE = [
    "kesu.operations.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kesu.core.middleware.SecurityHeadersMiddleware",
    "kesu.core.middleware.RequestBodyLimitMiddleware",
    "kesu.core.reference.ReferenceVersionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "kesu.core.middleware.ApiErrorShapeMiddleware",
    "kesu.core.middleware.InputGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["kesu.accounts.backends.DepartmentModelBackend"]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
CSRF_FAILURE_VIEW = "kesu.web.errors.csrf_failure"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def database_from_url(url: str | None) -> dict[str, Any]:
    """SQLite in WAL mode under the data dir by default; any DATABASE_URL otherwise."""
    if url:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        if config["ENGINE"] == "django.db.backends.postgresql":
            config.setdefault("OPTIONS", {})
            # JIT compiling costs 50+ ms on a page's query over 100,000 complaints and gains nothing
            # on short queries (KESU_PG_JIT=true turns it back on).
            if not env_bool("KESU_PG_JIT", False):
                config["OPTIONS"].setdefault("options", "-c jit=off")
        if config["ENGINE"] == "django.db.backends.sqlite3":
            config["OPTIONS"] = sqlite_options()
            config["CONN_MAX_AGE"] = 0
        return dict(config)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(DATA_DIR / "kesu.sqlite3"),
        "OPTIONS": sqlite_options(),
    }


def sqlite_options() -> dict[str, Any]:
    # IMMEDIATE transactions take the write lock at BEGIN, so concurrent writers queue on
    # the busy timeout instead of failing with "database is locked" on lock upgrade.
    return {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA busy_timeout=30000;PRAGMA foreign_keys=ON;"
        ),
    }


DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("KESU_REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("zh-hant", "繁體中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True
# One date format per language (kesu/formats/<lang>/formats.py; Django's own for the rest).
FORMAT_MODULE_PATH = ["kesu.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("KESU_MEDIA_ROOT", DATA_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": os.environ.get("KESU_FILE_STORAGE", "django.core.files.storage.FileSystemStorage")},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# JSON bodies above this are refused with 413 before they are parsed; uploads have their own limit.
KESU_MAX_JSON_BODY = int(os.environ.get("KESU_MAX_JSON_BODY", 256 * 1024))
KESU_MAX_UPLOAD_BYTES = int(os.environ.get("KESU_MAX_UPLOAD_BYTES", 10 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = KESU_MAX_UPLOAD_BYTES + 64 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
KESU_ALLOWED_UPLOAD_TYPES = {
    "image/jpeg": [".jpg", ".jpeg"],
    "image/png": [".png"],
    "image/webp": [".webp"],
    "application/pdf": [".pdf"],
    "audio/mpeg": [".mp3"],
    "audio/wav": [".wav"],
    "video/mp4": [".mp4"],
    "text/plain": [".txt"],
}
KESU_NUMBER_PREFIX = os.environ.get("KESU_NUMBER_PREFIX", "")
KESU_COMPANY_NAME = os.environ.get("KESU_COMPANY_NAME", "")  # signs letters; "Kesu" when empty
KESU_HOTLINE = os.environ.get("KESU_HOTLINE", "")  # the service hotline quoted in letters and SMS
# Returned quantities may differ from the approved ones by this share before they are flagged (RS-5).
KESU_RETURN_TOLERANCE_PERCENT = os.environ.get("KESU_RETURN_TOLERANCE_PERCENT", "0")
KESU_PUBLIC_RATE_LIMIT = os.environ.get("KESU_PUBLIC_RATE_LIMIT", "20/60")  # requests/seconds
KESU_LOGIN_RATE_LIMIT = os.environ.get("KESU_LOGIN_RATE_LIMIT", "10/300")  # failures per account
KESU_LOGIN_ADDRESS_RATE_LIMIT = os.environ.get("KESU_LOGIN_ADDRESS_RATE_LIMIT", "")  # empty: 10× the account's
KESU_THROTTLE_STORE = os.environ.get("KESU_THROTTLE_STORE", "")  # cache | database; empty: cache with Redis
KESU_TOKEN_TTL_HOURS = int(os.environ.get("KESU_TOKEN_TTL_HOURS", 24 * 7))
KESU_SCHEDULER = env_bool("KESU_SCHEDULER", False)
# The audit chain's HMAC key, kept outside the database (kesu/audit/keys.py): from the environment,
# else a file under the data dir created 0600 on first use. Anchors of the chain head go to an
# append-only file (kesu/audit/anchors.py, docs/audit.md).
KESU_AUDIT_KEY = os.environ.get("KESU_AUDIT_KEY", "")
KESU_AUDIT_KEY_FILE = os.environ.get("KESU_AUDIT_KEY_FILE", str(DATA_DIR / "audit.key"))
# Personal-data retention (kesu/customers/privacy.py): a customer whose complaints all ended more
# than KESU_RETENTION_YEARS ago is anonymised by the retention job; complaints involving money
# are kept at least KESU_FINANCIAL_RETENTION_YEARS after they ended (erasure refused meanwhile).
KESU_RETENTION_YEARS = int(os.environ.get("KESU_RETENTION_YEARS", 3))
KESU_FINANCIAL_RETENTION_YEARS = max(3, int(os.environ.get("KESU_FINANCIAL_RETENTION_YEARS", 3)))
# /metrics answers loopback callers (no proxy in between) or `Authorization: Bearer <token>`.
KESU_METRICS_TOKEN = os.environ.get("KESU_METRICS_TOKEN", "")
KESU_AUDIT_ANCHOR_FILE = os.environ.get("KESU_AUDIT_ANCHOR_FILE", str(DATA_DIR / "audit-anchors.jsonl"))

EMAIL_HOST = os.environ.get("KESU_SMTP_HOST", "")
EMAIL_PORT = int(os.environ.get("KESU_SMTP_PORT", 25))
EMAIL_HOST_USER = os.environ.get("KESU_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("KESU_SMTP_PASSWORD", "")
EMAIL_USE_TLS = env_bool("KESU_SMTP_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("KESU_MAIL_FROM", "kesu@localhost")
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TIMEZONE = TIME_ZONE
# Separate queues let several installations (or test runs) share one Redis.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("KESU_CELERY_QUEUE", "kesu")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        # One JSON object per line, request id included, phone numbers and e-mails masked.
        "json": {"()": "kesu.operations.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain" if os.environ.get("KESU_LOG_FORMAT") == "plain" else "json",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("KESU_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

ADMIN_SITE_HEADER = _("Kesu complaint handling")

# `Server-Timing: app;dur=…, db;dur=…` on every response (bench/run.py reads it); off by default.
if env_bool("KESU_SERVER_TIMING", False):
    MIDDLEWARE.insert(0, "kesu.operations.timing.ServerTimingMiddleware")

# --- WeChat Pay consumer complaints (消费者投诉 2.0; kesu/platforms, docs/platforms.md) ---
# Off unless a merchant number is set. Keys are read from files, never from the database.
KESU_WECHATPAY_MCHID = os.environ.get("KESU_WECHATPAY_MCHID", "")
KESU_WECHATPAY_SERIAL = os.environ.get("KESU_WECHATPAY_SERIAL", "")  # the merchant certificate's serial
KESU_WECHATPAY_PRIVATE_KEY_FILE = os.environ.get("KESU_WECHATPAY_PRIVATE_KEY_FILE", "")
KESU_WECHATPAY_APIV3_KEY = os.environ.get("KESU_WECHATPAY_APIV3_KEY", "")
KESU_WECHATPAY_PLATFORM_KEY_FILE = os.environ.get("KESU_WECHATPAY_PLATFORM_KEY_FILE", "")  # PEM public key
KESU_WECHATPAY_PLATFORM_SERIAL = os.environ.get("KESU_WECHATPAY_PLATFORM_SERIAL", "")  # or the public key id
KESU_WECHATPAY_BASE_URL = os.environ.get("KESU_WECHATPAY_BASE_URL", "https://api.mch.weixin.qq.com")
KESU_WECHATPAY_REPLY_HOURS = int(os.environ.get("KESU_WECHATPAY_REPLY_HOURS", 48))
# the complaint list is read every so often for complaints whose notification was lost: the last N days
KESU_WECHATPAY_PULL_SECONDS = float(os.environ.get("KESU_WECHATPAY_PULL_SECONDS", 3600))
KESU_WECHATPAY_PULL_DAYS = int(os.environ.get("KESU_WECHATPAY_PULL_DAYS", 7))
# --- service desk (kesu/desk): customer panels and surveys (SPEC FU-5) ---
KESU_SITE_URL = os.environ.get("KESU_SITE_URL", "")  # prefix of the survey links sent to customers
