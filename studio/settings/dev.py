"""Local development: `make run`. SQLite unless DATABASE_URL says otherwise; mail to the console."""

import os

os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
os.environ.setdefault("DEBUG", "true")

from studio.settings.base import *  # noqa: F403
from studio.settings.env import env_list, env_str

SECRET_KEY = SECRET_KEY or "dev-only-insecure-secret-key-change-me"  # noqa: F405
# A fixed key for local development only; production refuses to start without its own.
POSTFRAME_FERNET_KEYS = POSTFRAME_FERNET_KEYS or [  # noqa: F405
    env_str("POSTFRAME_DEV_FERNET_KEY", "ZGV2LW9ubHktcG9zdGZyYW1lLWZlcm5ldC1rZXktMDA=")
]
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
