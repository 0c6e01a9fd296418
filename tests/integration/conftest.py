"""Fixtures that run real Celery workers against this run's PostgreSQL and Redis."""

import pytest

from tests.processes import child_environment, seed_reference_data, start_worker


@pytest.fixture
def worker_factory(transactional_db):
    """Start workers on demand (`worker_factory(name=..., **env)`); all are stopped after the test."""
    seed_reference_data()
    started = []

    def start(name="worker", concurrency=1, **env):
        worker = start_worker(child_environment(**env), name=name, concurrency=concurrency)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
