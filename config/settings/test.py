"""Test settings: SQLite file databases by default, PostgreSQL when DATABASE_URL is set."""

import os

from .base import *  # noqa: F403

SECRET_KEY = "kesu-test-key"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DATABASES["default"]["TEST"] = {}  # noqa: F405
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not ":memory:", so concurrency tests can open several real connections.
    DATABASES["default"]["TEST"]["NAME"] = os.environ.get(  # noqa: F405
        "KESU_TEST_SQLITE",
        str(DATA_DIR / "test-kesu.sqlite3"),  # noqa: F405
    )
DATA_DIR.mkdir(parents=True, exist_ok=True)  # noqa: F405
MEDIA_ROOT = DATA_DIR / "test-media"  # noqa: F405
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
KESU_SCHEDULER = False
KESU_PUBLIC_RATE_LIMIT = "1000/60"
KESU_LOGIN_RATE_LIMIT = "100000/60"  # throttling tests set their own limits
LOGGING["root"]["level"] = "WARNING"  # type: ignore[index]  # noqa: F405
