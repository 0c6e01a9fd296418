"""Asset titles: a generated image starts with its prompt's first words, readable, never a slug."""

import pytest

from library.models import Asset
from library.services import Origin, asset_ingest
from tests.generation.factories import source_png

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("prompt", "title"),
    [
        ("a lemon on a blue plate", "A lemon on a blue plate"),
        (
            'make the background blue and change the text to "Sale" in bold',
            "Make the background blue and change the text…",
        ),
        ('  "Summer sale"\n poster  ', "Summer sale poster"),
        ("Supercalifragilisticexpialidocious" * 3, ("Supercalifragilisticexpialidocious" * 3)[:60] + "…"),
        ("", ""),
        (None, ""),
    ],
)
def test_a_title_is_the_prompts_first_words(prompt, title):
    assert Asset.title_from_prompt(prompt) == title


def test_a_jobs_images_are_numbered_in_their_titles():
    assert Asset.title_from_prompt("A lemon", number=2) == "A lemon (2)"


def test_a_generated_image_gets_its_title_from_the_prompt_not_the_file_name(team, member):
    provenance = {"prompt": "a calm harbour at dawn, pastel", "parameters": {"n": 3}, "image_index": 1}
    origin = Origin(source="generated", provenance=provenance)
    asset = asset_ingest(
        team=team, user=member, data=source_png(), filename="a-calm-harbour-at-dawn-2.png", origin=origin
    )
    assert asset.name == "A calm harbour at dawn, pastel (2)"


def test_an_upload_keeps_its_file_name_as_its_title(team, member):
    asset = asset_ingest(team=team, user=member, data=source_png(), filename="Brand palette.png")
    assert asset.name == "Brand palette"
