"""The studio under its own concurrency, on SQLite (the zero-configuration database of `make run`) and PostgreSQL:
parallel API submissions against a wallet with room for five images, and parallel uploads, against a live daphne."""

import io
import re
import subprocess
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import psycopg
import pytest
from PIL import Image

from tests.processes import BIN, ROOT, child_environment, free_port, start_web

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery staple"
SETUP = f"""
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from studio.api.services import api_token_create
from studio.credits.models import PriceRule
from studio.credits.services import credits_grant
from studio.teams.services import team_create

email = "load@example.com"
user = get_user_model().objects.create_user(username=email, email=email, password="{PASSWORD}")
EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
team = team_create(owner=user, name="Load Studio")
PriceRule.objects.update_or_create(model_id="local:draft", tier="1K", quality="*", defaults={{"credits": 6}})
credits_grant(team=team, amount=30, idempotency_key="room-for-five")
print("TOKEN", api_token_create(team=team, user=user, name="load").secret)
"""
COUNTS = """
from studio.generation.models import GenerationJob
from library.models import Asset
from studio.credits.models import Wallet
wallet = Wallet.objects.get(team__slug="load-studio")
print("COUNTS", GenerationJob.objects.count(), Asset.objects.count(), wallet.balance)
"""


def _manage(env, *args):
    done = subprocess.run(
        [str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def studio(request, tmp_path_factory, django_db_blocker):
    """A migrated database of its own (a file, or a new PostgreSQL database), a team, and daphne serving it."""
    tmp_path = tmp_path_factory.mktemp(request.param)
    if request.param == "sqlite":
        database_url = f"sqlite:///{tmp_path / 'studio.sqlite3'}"
        drop = None
    else:
        name = f"postframe_load_{uuid.uuid4().hex[:10]}"
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        database_url = f"postgres://postgres@127.0.0.1:5432/{name}"

        def drop():
            with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    with django_db_blocker.unblock():
        env = _environment(database_url, tmp_path)
    try:
        _manage(env, "migrate", "--noinput", "-v", "0")
        token = re.search(r"TOKEN (\S+)", _manage(env, "shell", "-c", SETUP)).group(1)
        port = free_port()
        server = start_web(env, port)
        try:
            yield {"url": f"http://127.0.0.1:{port}", "token": token, "env": env}
        finally:
            server.stop()
    finally:
        if drop:
            drop()


def _environment(database_url, tmp_path):
    return child_environment(
        DATABASE_URL=database_url,
        MEDIA_ROOT=tmp_path / "media",
        # Nothing consumes these jobs: the test is about accepting them.
        CELERY_BROKER_KEY_PREFIX=f"load-{uuid.uuid4().hex[:8]}:",
    )


def _counts(env):
    jobs, assets, balance = re.search(r"COUNTS (\d+) (\d+) (\d+)", _manage(env, "shell", "-c", COUNTS)).groups()
    return int(jobs), int(assets), int(balance)


def test_thirty_parallel_submissions_with_room_for_five_accept_exactly_five(studio):
    def submit(i):
        answer = httpx.post(
            f"{studio['url']}/api/v1/generations",
            json={"prompt": f"Poster number {i}", "model": "local:draft", "size": "1024x1024"},
            headers={"Authorization": f"Bearer {studio['token']}"},
            timeout=60,
        )
        return answer.status_code

    with ThreadPoolExecutor(max_workers=30) as pool:
        statuses = Counter(pool.map(submit, range(30)))

    assert statuses == {202: 5, 402: 25}
    jobs, _, balance = _counts(studio["env"])
    assert jobs == 5 and balance == 0


def _png(seed):
    image = Image.new("RGB", (64 + seed, 48), (seed * 20 % 256, 90, 160))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def test_ten_parallel_uploads_all_succeed(studio):
    browser = httpx.Client(base_url=studio["url"], timeout=60)
    page = browser.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    signed_in = browser.post(
        "/accounts/login/",
        data={"csrfmiddlewaretoken": token, "login": "load@example.com", "password": PASSWORD},
        headers={"Referer": f"{studio['url']}/accounts/login/"},
    )
    assert signed_in.status_code == 302
    csrf = browser.cookies["csrftoken"]

    def upload(i):
        answer = browser.post(
            "/library/upload/",
            files={"files": (f"photo-{i}.png", _png(i), "image/png")},
            headers={"X-CSRFToken": csrf, "Accept": "application/json", "Referer": f"{studio['url']}/library/"},
        )
        return answer.status_code, answer.json().get("status")

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(upload, range(10)))

    assert results == [(200, "ok")] * 10
    assert _counts(studio["env"])[1] == 10
