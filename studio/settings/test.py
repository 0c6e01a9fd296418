"""Test settings: the real PostgreSQL and Redis of the machine, fast hashing, eager nothing."""

import os
from pathlib import Path

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postframe")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/9")

from studio.settings.base import *  # noqa: F403

SECRET_KEY = "test-secret-key-not-for-production"
DEBUG = False
POSTFRAME_FERNET_KEYS = ["dGVzdC1vbmx5LXBvc3RmcmFtZS1mZXJuZXRrZXktMDE="]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Worker and web server processes started by the tests get the run's own MEDIA_ROOT through the environment.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or VAR_DIR / "test-media")  # noqa: F405
ACCOUNT_RATE_LIMITS = False
# The webhook receivers the tests start listen on 127.0.0.1 (tests/scheduling/test_channels.py turns it off).
SCHEDULING_WEBHOOK_ALLOW_PRIVATE = True
# Static files straight from the source folders: no collectstatic before a test run.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
