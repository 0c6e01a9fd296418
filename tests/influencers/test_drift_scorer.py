"""The face check on real photographs: the same person survives re-encoding, crops and grades; others do not."""

import pytest

from influencers import drift
from influencers.models import DEFAULT_DRIFT_THRESHOLD
from tests.influencers import photos

# Where the astronaut's face is in scikit-image's 512×512 photograph (left, top, right, bottom).
ASTRONAUT_FACE = (175, 76, 266, 170)


@pytest.fixture(scope="module")
def astronaut_embedding():
    faces = drift.faces_in(photos.encoded(photos.astronaut()))
    assert len(faces) == 1
    return faces[0].embedding


def _distance_to(reference, data):
    faces = drift.faces_in(data)
    assert faces, "no face found"
    return drift.closest(faces, [reference])[1]


def test_it_finds_one_face_with_a_128_number_embedding_in_the_astronaut():
    faces = drift.faces_in(photos.encoded(photos.astronaut()))
    assert len(faces) == 1
    assert len(faces[0].embedding) == 128
    left, top, right, bottom = faces[0].box
    assert abs(left - ASTRONAUT_FACE[0]) < 25 and abs(top - ASTRONAUT_FACE[1]) < 25
    assert abs(right - ASTRONAUT_FACE[2]) < 25 and abs(bottom - ASTRONAUT_FACE[3]) < 25


def test_it_scores_the_same_photo_reencoded_as_jpeg_as_the_same_person(astronaut_embedding):
    data = photos.encoded(photos.astronaut(), "JPEG", quality=55)
    assert _distance_to(astronaut_embedding, data) < 0.2


def test_it_scores_a_crop_of_the_same_photo_as_the_same_person(astronaut_embedding):
    data = photos.encoded(photos.cropped(photos.astronaut(), (90, 0, 380, 330)), "WEBP", quality=80)
    assert _distance_to(astronaut_embedding, data) < DEFAULT_DRIFT_THRESHOLD / 2


def test_it_scores_a_recoloured_copy_as_the_same_person(astronaut_embedding):
    assert _distance_to(astronaut_embedding, photos.encoded(photos.recoloured(photos.astronaut()))) < 0.3
    assert _distance_to(astronaut_embedding, photos.encoded(photos.greyscale(photos.astronaut()))) < 0.3


def test_it_scores_two_different_people_as_different(astronaut_embedding):
    hopper = photos.encoded(photos.grace_hopper(), "JPEG", quality=90)
    assert _distance_to(astronaut_embedding, hopper) > DEFAULT_DRIFT_THRESHOLD


def test_it_finds_no_face_in_a_photograph_without_one():
    assert drift.faces_in(photos.encoded(photos.coffee(), "JPEG")) == []


def test_it_pads_a_wide_image_instead_of_squashing_it(astronaut_embedding):
    wide = photos.on_wide_canvas(photos.astronaut(), 1536, 640, left=900, top=64)
    padded, offset = drift.padded_square(wide)
    assert padded.size == (1536, 1536) and offset == (0, 448)
    faces = drift.faces_in(photos.encoded(wide))
    assert len(faces) == 1
    left, top, _right, _bottom = faces[0].box
    # The box is in the wide image's own pixels: the face sits where it was pasted, not stretched.
    assert abs(left - (900 + ASTRONAUT_FACE[0])) < 30 and abs(top - (64 + ASTRONAUT_FACE[1])) < 30
    assert drift.distance(faces[0].embedding, astronaut_embedding) < 0.25


def test_it_loads_the_face_models_once_per_process():
    drift.faces_in(photos.encoded(photos.coffee(), "JPEG"))
    loads = drift.stats["loads"]
    drift.faces_in(photos.encoded(photos.astronaut()))
    assert drift.stats["loads"] == loads == 1


def test_it_finds_the_one_face_in_a_1024_upscale_without_counting_patches_as_faces(astronaut_embedding):
    from PIL import Image

    big = photos.astronaut().resize((1024, 1024), Image.Resampling.LANCZOS)
    faces = drift.faces_in(photos.encoded(big))
    assert len(faces) == 1
    assert drift.distance(faces[0].embedding, astronaut_embedding) < 0.2
