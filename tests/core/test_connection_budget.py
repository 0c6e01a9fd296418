"""The start-up check that every process's PostgreSQL pool fits under the server's max_connections."""

import pytest
from django.core.checks import run_checks

pytestmark = pytest.mark.django_db


def _warnings():
    return [issue for issue in run_checks(databases=["default"]) if issue.id == "postframe.W001"]


def test_it_is_quiet_when_the_pools_fit(settings):
    settings.POSTFRAME_WEB_REPLICAS = 1
    settings.CELERY_CONCURRENCY = 2
    assert _warnings() == []


def test_it_warns_when_replicas_times_pool_exceed_max_connections(settings):
    settings.POSTFRAME_WEB_REPLICAS = 40
    settings.CELERY_CONCURRENCY = 20
    found = _warnings()
    assert len(found) == 1
    assert "40 web replica(s)" in found[0].msg and "max_connections" in found[0].hint
