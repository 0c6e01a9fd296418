"""Imports everything the run path loads — every installed app and its modules, Celery's Redis transport, the
web server and the process runner — so a venv built from requirements/run.txt alone proves it has them all."""

import importlib
import os
import pkgutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings.dev")

import django

django.setup()

from django.apps import apps  # noqa: E402

RUNTIME_MODULES = ["kombu.transport.redis", "celery.bin.celery", "daphne.server", "daphne.cli", "honcho.command"]


def project_modules():
    for config in apps.get_app_configs():
        module = config.module
        yield module.__name__
        if not module.__file__ or ".venv" in module.__file__ or "site-packages" in module.__file__:
            continue  # a third-party app: its package imported above is what the project loads
        for found in pkgutil.walk_packages(module.__path__, prefix=f"{module.__name__}."):
            if ".migrations." in found.name or found.name.endswith(".migrations"):
                continue
            yield found.name


def main():
    failed = []
    names = [*RUNTIME_MODULES, "studio.asgi", "studio.celery", "studio.urls", *project_modules()]
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as error:  # report every missing module, not only the first
            failed.append(f"{name}: {type(error).__name__}: {error}")
    if failed:
        print("These modules do not import from the run requirements:", *failed, sep="\n  ", file=sys.stderr)
        return 1
    print(f"run imports: {len(names)} modules import from the run requirements")
    return 0


if __name__ == "__main__":
    sys.exit(main())
