"""One serving command everywhere: daphne with the stock Channels application, as DESIGN.md names it."""

import re
from pathlib import Path

import pytest
import yaml
from channels.routing import ProtocolTypeRouter
from django.core.handlers.asgi import ASGIHandler

from studio import asgi
from tests import processes

ROOT = Path(__file__).resolve().parent.parent.parent
DAPHNE = re.compile(r"daphne\b.* studio\.asgi:application")


def test_the_application_is_the_stock_channels_router_over_djangos_asgi_handler():
    assert isinstance(asgi.application, ProtocolTypeRouter)
    assert isinstance(asgi.application.application_mapping["http"], ASGIHandler)


def test_make_run_docker_compose_and_the_tests_all_serve_with_daphne(monkeypatch):
    procfile = dict(line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if ": " in line)
    assert DAPHNE.search(procfile["web"])
    assert {"web", "worker", "beat", "redis"} <= procfile.keys()
    assert DAPHNE.search(" ".join(re.findall(r'"([^"]+)"', (ROOT / "Dockerfile").read_text().splitlines()[-1])))
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert DAPHNE.search(compose["services"]["web"]["command"])
    started = []

    def managed(name, args, env):
        started.append(args)
        raise LookupError("not started: the test only reads the command")

    monkeypatch.setattr(processes, "Managed", managed)
    with pytest.raises(LookupError):
        processes.start_web({}, 1)
    assert DAPHNE.search(" ".join(started[0]))


def test_no_home_made_server_is_left():
    assert not (ROOT / "studio" / "web.py").exists()
    assert "a2wsgi" not in (ROOT / "requirements" / "run.txt").read_text()
    assert "uvicorn" not in (ROOT / "requirements" / "run.txt").read_text()
