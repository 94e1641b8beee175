"""Test settings: Marsad's settings with fast hashing, immediate tasks and quiet logging."""

import os

os.environ.setdefault("MARSAD_ENV", "test")

from marsad.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
AXES_FAILURE_LIMIT = 3
DEBUG = False
