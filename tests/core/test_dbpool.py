"""Pooled PostgreSQL connections are checked before lending unless they were in use a moment ago."""

import psycopg
import pytest
from django.db import connection

from studio.core import dbpool


@pytest.fixture
def conninfo():
    if connection.vendor != "postgresql":
        pytest.skip("the pool exists on PostgreSQL only")
    return connection.get_connection_params()


def _connect(params):
    return psycopg.connect(**{k: v for k, v in params.items() if k in {"dbname", "user", "host", "port", "password"}})


def test_a_live_connection_passes_its_check(conninfo):
    with _connect(conninfo) as live:
        dbpool.connection_check(live)


def test_a_dead_connection_that_sat_idle_fails_its_check_so_the_pool_replaces_it(conninfo, monkeypatch):
    dead = _connect(conninfo)
    dbpool.connection_returned(dead)
    dead.close()
    monkeypatch.setattr(dbpool, "CHECK_AFTER_IDLE_SECONDS", 0.0)
    with pytest.raises(psycopg.Error):
        dbpool.connection_check(dead)


def test_a_connection_never_returned_is_always_checked(conninfo):
    dead = _connect(conninfo)
    dead.close()
    with pytest.raises(psycopg.Error):
        dbpool.connection_check(dead)


def test_a_connection_returned_a_moment_ago_is_lent_without_a_round_trip(conninfo):
    recent = _connect(conninfo)
    dbpool.connection_returned(recent)
    recent.close()  # a check would fail now; within the window none is made
    dbpool.connection_check(recent)


def test_the_settings_wire_both_callbacks_into_the_pool(settings):
    pool = settings.DATABASES["default"].get("OPTIONS", {}).get("pool")
    if not pool:
        pytest.skip("no pool configured")
    assert pool["reset"] is dbpool.connection_returned
    assert pool["check"] is dbpool.connection_check
