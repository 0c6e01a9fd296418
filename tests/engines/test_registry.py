"""engine_for picks the engine from the capability row; refinement_request fits each engine."""

import pytest

from studio.engines.local import LocalDraftEngine
from studio.engines.openai import OpenAIEngine
from studio.engines.registry import engine_for, refinement_request
from tests.engines.factories import image_bytes

pytestmark = pytest.mark.django_db


def test_the_draft_model_runs_on_the_offline_engine():
    engine = engine_for("local:draft")

    assert isinstance(engine, LocalDraftEngine)
    assert engine.label == "Offline draft engine"


@pytest.mark.parametrize("model_id", ["openai:gpt-image-2", "openai:gpt-image-1.5", "openai:gpt-image-1-mini"])
def test_openai_models_run_on_the_openai_engine(model_id):
    assert isinstance(engine_for(model_id), OpenAIEngine)


def test_a_new_model_is_a_row_of_configuration(settings):
    row = {**settings.POSTFRAME_IMAGE_MODELS["openai:gpt-image-2"], "api_model": "gpt-image-3"}
    settings.POSTFRAME_IMAGE_MODELS = {**settings.POSTFRAME_IMAGE_MODELS, "openai:gpt-image-3": row}

    assert isinstance(engine_for("openai:gpt-image-3"), OpenAIEngine)


def test_an_unknown_model_has_no_engine():
    with pytest.raises(KeyError):
        engine_for("acme:imagine")


def test_openai_refinement_continues_the_response_without_resending_the_image():
    request = refinement_request(
        model_id="openai:gpt-image-2", prompt="Pinker", parent_image=image_bytes((64, 64)), response_id="resp_1"
    )

    assert request.previous_response_id == "resp_1"
    assert request.references == ()
    assert request.n == 1


def test_draft_refinement_carries_the_parent_image():
    parent = image_bytes((64, 64))

    request = refinement_request(model_id="local:draft", prompt="Pinker", parent_image=parent, response_id="draft_1")

    assert request.references[0].data == parent
    assert request.references[0].role == "parent"
