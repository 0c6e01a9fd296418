"""Shot-list writers: the offline one drafts 3–8 sensible shots from a brief; the OpenAI one asks the Responses API
with a strict JSON schema; a failing key falls back to the offline writer and says why."""

import json

import pytest

from studio.video import services, shotlist
from studio.video.models import Sequence
from studio.video.shotlist import ShotListError, offline_shots, openai_shots, shots_clean, shots_schema

BRIEF = "A cyclist crosses a mountain pass at dawn. Clouds roll below. She reaches the top and looks back."


def test_the_offline_writer_makes_one_shot_per_beat_opening_and_closing_wide():
    shots = offline_shots(BRIEF, durations=(5, 10))
    assert len(shots) == 3
    assert shots[0]["frame_prompt"].startswith("Wide establishing shot: A cyclist crosses a mountain pass at dawn")
    assert shots[-1]["frame_prompt"].startswith("Wide closing shot:")
    assert all(shot["duration"] == 5 and shot["motion_prompt"] for shot in shots)
    assert len({shot["motion_prompt"] for shot in shots}) == 3


@pytest.mark.parametrize("brief,count", [("Coffee.", 3), (". ".join(f"Beat number {n}" for n in range(12)), 6)])
def test_the_offline_writer_keeps_between_three_and_eight_shots(brief, count):
    assert len(offline_shots(brief, durations=(3, 5))) == count


def test_it_refuses_a_shot_list_with_too_few_shots_or_a_shot_without_a_frame():
    with pytest.raises(ShotListError, match="2 shots"):
        shots_clean([{"frame_prompt": "a"}, {"frame_prompt": "b"}], durations=(5,))
    with pytest.raises(ShotListError, match="without a frame prompt"):
        shots_clean([{"frame_prompt": "a"}, {"frame_prompt": " "}, {"frame_prompt": "c"}], durations=(5,))


def test_an_unknown_duration_from_the_model_becomes_the_shortest_allowed():
    shots = shots_clean([{"frame_prompt": f"f{n}", "duration": 7} for n in range(3)], durations=(10, 5))
    assert {shot["duration"] for shot in shots} == {5}


def test_the_openai_writer_sends_a_strict_json_schema_and_builds_the_shots(fake_openai):
    shots = openai_shots(BRIEF, api_key=fake_openai.api_key, durations=(5, 10))
    assert 3 <= len(shots) <= 8
    assert all(shot["frame_prompt"] and shot["duration"] in (5, 10) for shot in shots)
    [request] = fake_openai.requests_to("/responses")
    text_format = request.json["text"]["format"]
    assert text_format["type"] == "json_schema" and text_format["strict"] is True
    assert text_format["schema"] == shots_schema((5, 10))
    assert BRIEF in request.json["input"]


def test_the_shot_schema_passes_the_fakes_strict_check(fake_openai):
    import openai as sdk

    client = sdk.OpenAI(api_key=fake_openai.api_key, base_url=fake_openai.url, max_retries=0)
    answer = client.responses.create(
        model="gpt-5-mini",
        input="x",
        text={"format": {"type": "json_schema", "name": "s", "strict": True, "schema": shots_schema((5,))}},
    )
    assert len(json.loads(answer.output_text)["shots"]) == shotlist.MIN_WRITTEN


def test_a_refused_key_says_why(fake_openai):
    with pytest.raises(ShotListError, match="refused the API key"):
        openai_shots(BRIEF, api_key="sk-wrong-key-0000")


@pytest.mark.django_db
def test_with_a_key_the_team_gets_openais_shot_list_and_without_one_the_offline_one(
    fake_openai, team, member, settings
):
    sequence = services.sequence_create(team=team, user=member, brief=BRIEF)
    assert sequence.writer == "offline" and not fake_openai.requests_to("/responses")

    settings.OPENAI_API_KEY = fake_openai.api_key
    sequence = services.sequence_create(team=team, user=member, brief=BRIEF)
    assert sequence.writer == shotlist.SHOTLIST_MODEL and sequence.note == ""
    assert sequence.shots.first().frame_prompt.startswith("Point 1:")

    settings.OPENAI_API_KEY = "sk-wrong-key-0000"
    sequence = services.sequence_create(team=team, user=member, brief=BRIEF)
    assert sequence.writer == "offline" and "offline writer" in sequence.note and "refused the API key" in sequence.note
    assert Sequence.objects.count() == 3
