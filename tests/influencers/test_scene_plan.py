"""What a scene sends: the anchor as Image 1, views by role within the model's limit, the identity block in words."""

import copy

import pytest

from influencers.prompting import scene_plan
from studio.engines.capabilities import DEFAULT_IMAGE_MODELS
from tests.influencers import photos
from tests.influencers.factories import astronaut_influencer

pytestmark = pytest.mark.django_db


@pytest.fixture
def influencer(team, member):
    extra = [
        (photos.grace_hopper(), "style"),
        (photos.recoloured(photos.astronaut()), "profile"),
        (photos.cropped(photos.astronaut(), (50, 0, 450, 400)), "front"),
    ]
    return astronaut_influencer(
        team, member, extra=extra, traits={"hair": "short brown", "build": "athletic"}, nevers=["no glasses", "no hats"]
    )


def test_the_anchor_is_image_1_and_the_views_come_before_style(influencer):
    plan = scene_plan(influencer.current_version, "on a beach at dawn", "local:draft")
    assert [ref.role for ref in plan.sent] == ["anchor", "front", "profile", "style"]
    assert plan.references[0] == {"asset_id": plan.sent[0].asset_id, "role": "identity"}
    assert plan.references[3]["role"] == "style"


def test_the_prompt_names_each_image_and_repeats_the_preserve_list(influencer):
    prompt = scene_plan(influencer.current_version, "on a beach at dawn", "local:draft").prompt
    assert prompt.startswith("Edit Image 1 into this scene, keeping the same person: on a beach at dawn")
    assert "Image 1: identity anchor of Eileen" in prompt
    assert "Image 2: the same person from the front." in prompt
    assert "Image 4: style reference" in prompt
    assert prompt.count("Do not change the face, facial features, skin tone") == 2
    assert "- Hair: short brown" in prompt and "- Build: athletic" in prompt
    assert "Never:\n- no glasses\n- no hats" in prompt


def test_input_fidelity_is_high_only_where_the_model_has_the_choice(influencer):
    version = influencer.current_version
    assert scene_plan(version, "x", "openai:gpt-image-1.5").input_fidelity == "high"
    assert scene_plan(version, "x", "openai:gpt-image-2").input_fidelity is None
    assert scene_plan(version, "x", "openai:gpt-image-1-mini").input_fidelity is None


def test_a_set_beyond_the_models_limit_says_which_images_are_left_out(influencer, settings):
    table = copy.deepcopy(DEFAULT_IMAGE_MODELS)
    table["local:draft"]["max_references"] = 2
    settings.POSTFRAME_IMAGE_MODELS = table
    plan = scene_plan(influencer.current_version, "x", "local:draft")
    assert [ref.role for ref in plan.sent] == ["anchor", "front"]
    assert [ref.role for ref in plan.left_out] == ["profile", "style"]
    assert "takes 2 images, so these are left out: profile" in plan.notes[0]
    assert "Image 3" not in plan.prompt
