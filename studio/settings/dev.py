"""Local development: `make run`. SQLite unless DATABASE_URL says otherwise; mail to the console.

DEBUG is on only while the studio serves on a loopback address: its pages show code and settings, so a studio
that other machines can reach (HOST set to another address) runs with DEBUG off, and refuses DEBUG=true.
"""

import os

from django.core.exceptions import ImproperlyConfigured

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
_serves_beyond_this_machine = os.environ.get("HOST", "127.0.0.1") not in LOOPBACK_HOSTS
if _serves_beyond_this_machine and os.environ.get("DEBUG", "").strip().lower() in {"1", "true", "yes", "on"}:
    raise ImproperlyConfigured(
        f"DEBUG=true with HOST={os.environ['HOST']}: debug pages would show code and settings to other machines. "
        "Unset DEBUG, or serve on 127.0.0.1."
    )
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
os.environ.setdefault("DEBUG", "false" if _serves_beyond_this_machine else "true")

from studio.settings.base import *  # noqa: E402, F403
from studio.settings.env import env_list, env_str  # noqa: E402


def _local_secret_key():
    """A random key made once for this checkout (var/dev-secret-key), so no two installs share one."""
    import secrets

    path = VAR_DIR / "dev-secret-key"  # noqa: F405
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = SECRET_KEY or _local_secret_key()  # noqa: F405
# A fixed key for local development only; production refuses to start without its own.
POSTFRAME_FERNET_KEYS = POSTFRAME_FERNET_KEYS or [  # noqa: F405
    env_str("POSTFRAME_DEV_FERNET_KEY", "ZGV2LW9ubHktcG9zdGZyYW1lLWZlcm5ldC1rZXktMDA=")
]
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
if _serves_beyond_this_machine and HOST not in ("0.0.0.0", "::"):  # noqa: F405, S104
    ALLOWED_HOSTS.append(HOST)  # noqa: F405
# Static files from the source folders, with DEBUG on or off: `make run` has no collectstatic step.
WHITENOISE_USE_FINDERS = True
