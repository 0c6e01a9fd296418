"""The influencers in the JSON API: create from asset ids, start a series, read each output's score; in the schema."""

import pytest

from influencers.models import Influencer, SceneSeries
from influencers.services import drift_score
from studio.generation.services import generation_run
from tests.api.factories import api_client
from tests.influencers import photos
from tests.influencers.factories import astronaut_influencer, library_photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(team, admin_user):
    return api_client(team, admin_user)


def test_it_creates_an_influencer_from_asset_ids_and_warns_about_a_faceless_image(api, team, admin_user):
    anchor = library_photo(team, admin_user, photos.astronaut())
    cup = library_photo(team, admin_user, photos.coffee(), name="cup")
    body = {
        "name": "Eileen",
        "references": [{"assetId": cup.pk, "role": "profile"}, {"assetId": anchor.pk, "role": "anchor"}],
        "traits": {"hair": "short brown"},
        "nevers": ["no glasses"],
    }
    response = api.post("/api/v1/influencers", body, content_type="application/json")
    assert response.status_code == 201, response.content
    shown = response.json()
    assert shown["version"]["number"] == 1
    refs = shown["version"]["references"]
    assert [(ref["role"], ref["assetId"], ref["faces"]) for ref in refs] == [
        ("anchor", anchor.pk, 1),
        ("profile", cup.pk, 0),
    ]
    assert "No face found" in refs[1]["warning"]


def test_it_answers_404_for_an_asset_of_another_team_and_saves_nothing(api, team, other_team, outsider):
    theirs = library_photo(other_team, outsider, photos.astronaut())
    body = {"name": "X", "references": [{"assetId": theirs.pk, "role": "anchor"}]}
    response = api.post("/api/v1/influencers", body, content_type="application/json")
    assert response.status_code == 404
    assert response.json()["errors"][0]["field"] == "references.0.assetId"
    assert not Influencer.objects.filter(team=team).exists()


def test_a_set_without_an_anchor_is_a_400_with_the_reason(api, team, admin_user):
    front = library_photo(team, admin_user, photos.astronaut())
    body = {"name": "X", "references": [{"assetId": front.pk, "role": "front"}]}
    response = api.post("/api/v1/influencers", body, content_type="application/json")
    assert response.status_code == 400
    assert "identity anchor" in response.json()["errors"][0]["message"]


def test_it_starts_a_series_and_reads_each_outputs_score(api, team, admin_user):
    influencer = astronaut_influencer(team, admin_user)
    body = {"scenes": ["at the gym", "reading"], "quality": "low"}
    response = api.post(f"/api/v1/influencers/{influencer.pk}/series", body, content_type="application/json")
    assert response.status_code == 202, response.content
    shown = response.json()
    assert [scene["brief"] for scene in shown["scenes"]] == ["at the gym", "reading"]
    series = SceneSeries.objects.get(pk=shown["id"])
    first = series.scenes.get(position=1).runs.get().job
    generation_run(job_id=first.pk)
    output = first.job_outputs.get().asset
    drift_score(asset_id=output.pk, version_id=series.version_id)
    read = api.get(f"/api/v1/influencers/series/{series.pk}").json()
    scored = read["scenes"][0]["outputs"][0]
    assert scored["assetId"] == output.pk and scored["verdict"] == "same"
    assert read["scenes"][1]["outputs"] == []


def test_another_teams_influencer_is_a_404(api, other_team, outsider):
    theirs = astronaut_influencer(other_team, outsider)
    assert api.get(f"/api/v1/influencers/{theirs.pk}").status_code == 404
    response = api.post(f"/api/v1/influencers/{theirs.pk}/series", {"scenes": ["x"]}, content_type="application/json")
    assert response.status_code == 404
    assert not SceneSeries.objects.exists()


def test_the_openapi_schema_lists_the_influencer_routes(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/influencers" in paths
    assert "/api/v1/influencers/{influencer_id}/series" in paths
    assert "/api/v1/influencers/series/{series_id}" in paths
