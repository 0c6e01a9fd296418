import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]


def _check(**env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(
        DJANGO_SETTINGS_MODULE="studio.settings.prod",
        SECRET_KEY="k" * 20 + "3v!Qp9#Zr2@Lm7$Xt5^Wb8&Nc1*Hd6(Jf4)Gs0-Ye" + "x" * 10,
        POSTFRAME_FERNET_KEYS=Fernet.generate_key().decode(),
        ALLOWED_HOSTS="studio.example.com",
    )
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_prod_settings_pass_check_deploy_without_a_single_warning():
    result = _check()
    assert result.returncode == 0, result.stdout + result.stderr


def test_prod_settings_refuse_to_start_without_fernet_keys():
    result = _check(POSTFRAME_FERNET_KEYS="")
    assert result.returncode != 0
    assert "POSTFRAME_FERNET_KEYS" in result.stderr
