"""Links and mail name the studio where it serves: SITE_URL follows HOST/PORT, and the Sites framework follows it."""

import os
import subprocess
import sys

import pytest
from django.contrib.sites.models import Site
from django.core import mail

from studio.core.sites import site_sync
from tests.processes import ROOT

pytestmark = pytest.mark.django_db


def _settings_value(name, **env):
    code = f"import django; django.setup(); from django.conf import settings; print(settings.{name})"
    clean = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "HOST", "PORT", "DEBUG"}}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "studio.settings.dev", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.returncode, done.stdout.strip(), done.stderr


def test_site_url_follows_the_port_make_run_serves_on():
    assert _settings_value("SITE_URL", PORT="8123")[1] == "http://127.0.0.1:8123"
    assert _settings_value("SITE_URL", HOST="localhost", PORT="9000")[1] == "http://localhost:9000"
    assert _settings_value("SITE_URL", SITE_URL="https://studio.example.com")[1] == "https://studio.example.com"


def test_the_site_takes_its_domain_and_name_from_site_url(settings):
    settings.SITE_URL = "http://127.0.0.1:8123"
    Site.objects.update_or_create(id=settings.SITE_ID, defaults={"domain": "example.com", "name": "example.com"})
    site_sync()
    site = Site.objects.get_current()
    assert (site.domain, site.name) == ("127.0.0.1:8123", "Postframe")


def test_a_sign_up_email_never_mentions_example_com(client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    site_sync()
    phrase = "a long unusual phrase 42"
    client.post("/accounts/signup/", {"email": "newcomer@example.org", "password1": phrase, "password2": phrase})
    assert mail.outbox, "a confirmation e-mail was sent"
    text = mail.outbox[-1].subject + mail.outbox[-1].body
    assert "example.com" not in text
    assert "Postframe" in text


def test_debug_is_off_when_the_studio_serves_beyond_this_machine():
    assert _settings_value("DEBUG", HOST="127.0.0.1")[1] == "True"
    assert _settings_value("DEBUG", HOST="192.0.2.10")[1] == "False"
    code, _, errors = _settings_value("DEBUG", HOST="0.0.0.0", DEBUG="true")
    assert code != 0 and "DEBUG=true with HOST=0.0.0.0" in errors
