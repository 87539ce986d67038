"""`make run`: embedded SQLite under KESU_DATA_DIR and the in-process scheduler."""

from .base import *  # noqa: F403

DEBUG = env_bool("KESU_DEBUG", False)  # noqa: F405
KESU_SCHEDULER = env_bool("KESU_SCHEDULER", True)  # noqa: F405

# `make run` serves static files straight from the apps (no collectstatic step needed on a fresh clone);
# production serves the collected, fingerprinted copy (see README).
WHITENOISE_USE_FINDERS = True
