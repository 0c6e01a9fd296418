"""Database settings: psycopg-pool's own check on PostgreSQL; WAL, a busy timeout and IMMEDIATE on SQLite."""

import os
import sqlite3
import subprocess
import sys

from django.conf import settings
from psycopg_pool import ConnectionPool

from tests.processes import ROOT


def test_pooled_postgresql_connections_are_checked_by_psycopg_pool_itself():
    pool = settings.DATABASES["default"]["OPTIONS"]["pool"]
    assert pool["check"] is ConnectionPool.check_connection
    assert "reset" not in pool


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout_and_immediate_transactions(tmp_path):
    database = tmp_path / "studio.sqlite3"
    code = (
        "import django; django.setup(); from django.db import connection; "
        "connection.ensure_connection(); print(connection.settings_dict['OPTIONS'])"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "studio.settings.dev", "DATABASE_URL": f"sqlite:///{database}"}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "'transaction_mode': 'IMMEDIATE'" in done.stdout and "'timeout': 20" in done.stdout
    assert sqlite3.connect(database).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
