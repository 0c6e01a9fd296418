"""The offline draft engine keeps an identity reference's person in the scene, so an offline series scores."""

import pytest

from influencers import drift
from influencers.models import DEFAULT_DRIFT_THRESHOLD
from studio.engines.local import LocalDraftEngine
from studio.engines.types import Final
from tests.engines.factories import draft_request, reference
from tests.influencers import photos


def _draft(prompt, role, seed=7, size="1024x1536"):
    anchor = photos.encoded(photos.astronaut())
    request = draft_request(prompt=prompt, references=[reference(anchor, role=role)], size=size, seed=seed)
    final = next(event for event in LocalDraftEngine().run(request) if isinstance(event, Final))
    return final.images[0]


@pytest.fixture(scope="module")
def anchor_embedding():
    return drift.faces_in(photos.encoded(photos.astronaut()))[0].embedding


@pytest.mark.parametrize(
    ("prompt", "seed"),
    [("On a rooftop at golden hour, city behind", 3), ("In a neon-lit cafe, rain on the window", 11)],
)
def test_a_scene_drafted_from_an_identity_anchor_scores_as_the_same_person(anchor_embedding, prompt, seed):
    faces = drift.faces_in(_draft(prompt, "identity", seed))
    assert faces, "the anchor's face is in the draft"
    assert drift.closest(faces, [anchor_embedding])[1] < DEFAULT_DRIFT_THRESHOLD


def test_two_scenes_differ_around_the_same_person():
    assert _draft("On a beach at noon", "identity", 1) != _draft("In a snowy forest", "identity", 2)


def test_a_style_reference_only_colours_the_draft_and_brings_no_face():
    assert drift.faces_in(_draft("A poster in this style", "style")) == []
