"""`make run`: embedded SQLite under KESU_DATA_DIR and the in-process scheduler."""

from .base import *  # noqa: F403

DEBUG = env_bool("KESU_DEBUG", False)  # noqa: F405
KESU_SCHEDULER = env_bool("KESU_SCHEDULER", True)  # noqa: F405
