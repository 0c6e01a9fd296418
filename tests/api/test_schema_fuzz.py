"""Schema-driven fuzzing: schemathesis makes requests from /api/v1/openapi.json and the API must keep its promises.

Every operation is sent schema-valid and schema-invalid requests (a few each, so the whole run takes seconds) through
the studio's own WSGI application, against the offline draft engine and the OpenAI fake. No answer may be a 5xx, and
every answer must be one the schema documents, with the documented content type and shape.
"""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from library.services import board_create
from studio.generation.models import GenerationJob
from studio.video.models import Shot
from tests.credits.factories import grant
from tests.library.factories import stored_asset

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION_AND_MODE = 4
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def studio_app(settings):
    """The studio's WSGI application, answering inside the test's transaction like Django's test client does."""
    settings.ALLOWED_HOSTS = ["*"]
    # A real request closes the thread's connection when it starts and ends; here that is the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def fuzzed_team(team, admin_user, settings, fake_openai, draft_price):
    """A team with the offline engine and OpenAI (the local fake) enabled, credits, assets and a board."""
    settings.OPENAI_API_KEY = fake_openai.api_key
    team.allowed_models = ["local:draft", "openai:gpt-image-2", "openai:gpt-image-1.5"]
    team.save()
    draft_price(1)
    grant(team, 10_000)
    for _ in range(3):
        stored_asset(team, admin_user, source="upload")
    board_create(team=team, user=admin_user, name="Launch")
    return team


def test_no_generated_request_gets_a_5xx_or_an_answer_the_schema_does_not_describe(
    studio_app, fuzzed_team, admin_user, token_for
):
    _, secret = token_for(fuzzed_team, admin_user)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", studio_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {operation.path for operation in operations} >= {
        "/api/v1/generations",
        "/api/v1/assets",
        "/api/v1/boards/{board_id}/assets",
    }
    headers = {"Authorization": f"Bearer {secret}"}
    sent = []

    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @hypothesis_settings(
                max_examples=EXAMPLES_PER_OPERATION_AND_MODE,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def fuzz(case):
                response = case.call(headers=headers)
                sent.append((case.method, case.path, response.status_code))
                case.validate_response(response, checks=CHECKS, headers=headers)

            fuzz()

    statuses = {status for _, _, status in sent}
    assert not any(status >= 500 for status in statuses)
    # The run reached the API's logic, not only its validation: some requests were accepted.
    assert any(status < 300 for status in statuses), sent
    # Every job is accounted for: one per accepted generation, besides the frames of the sequences started here.
    frames = Shot.objects.filter(sequence__team=fuzzed_team, frame_job__isnull=False).values("frame_job")
    assert GenerationJob.objects.filter(team=fuzzed_team).exclude(pk__in=frames).count() == sum(
        1 for method, path, status in sent if (method, path, status) == ("POST", "/api/v1/generations", 202)
    )
