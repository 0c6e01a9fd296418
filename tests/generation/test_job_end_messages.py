"""What the canvas says of a job that ended without images: its reason, and once that its credits are back."""

import pytest
from django.template.loader import render_to_string

from studio.generation.push import job_context
from studio.generation.services import WORKER_LOST_MESSAGE
from tests.generation.factories import GenerationJobFactory

pytestmark = pytest.mark.django_db


def _canvas(job):
    return render_to_string("studio/_job.html#job-canvas", job_context(job, can_generate=True))


def test_a_failed_job_says_its_credits_are_back(team):
    job = GenerationJobFactory(team=team, status="failed", credits_estimated=12, error_message="The provider is down.")
    assert job.credits_back_note == "The 12 credits it held are back in the balance."
    assert "The 12 credits it held are back in the balance." in _canvas(job)


def test_a_failure_that_already_mentions_the_credits_does_not_say_it_twice(team):
    job = GenerationJobFactory(team=team, status="failed", credits_estimated=12, error_message=WORKER_LOST_MESSAGE)
    assert job.credits_back_note == ""
    canvas = _canvas(job)
    assert WORKER_LOST_MESSAGE in canvas and "back in the balance" not in canvas


def test_a_free_or_running_job_has_no_such_note(team):
    assert GenerationJobFactory(team=team, status="failed", credits_estimated=0).credits_back_note == ""
    assert GenerationJobFactory(team=team, status="running", credits_estimated=6).credits_back_note == ""
