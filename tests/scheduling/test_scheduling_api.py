"""Scheduling in the JSON API: create with variants, send for approval, approve (never one's own), move, read each
channel's state; refusals name the field; everything is in the OpenAPI schema."""

import pytest
from django.test import Client

from scheduling.models import Post, PostTarget
from tests.api.factories import api_client
from tests.scheduling.posting import channel, image, soon

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_api(team, member):
    return api_client(team, member)


@pytest.fixture
def admin_api(team, admin_user):
    return api_client(team, admin_user)


def _create(api, **body):
    return api.post("/api/v1/posts", body, content_type="application/json")


def test_a_member_creates_and_submits_a_post_with_a_variant_per_channel(member_api, team):
    linkedin, x = channel(team, "linkedin"), channel(team, "x")
    photo = image(team)
    response = _create(
        member_api,
        caption="Spring menu is here",
        hashtags="#spring",
        assetIds=[photo.pk],
        altTexts=[{"assetId": photo.pk, "altText": "Latte art"}],
        channels=[{"channelId": linkedin.pk}, {"channelId": x.pk, "text": "Spring, short"}],
        publishAt=soon().isoformat(),
        submit=True,
    )
    assert response.status_code == 201, response.content
    shown = response.json()
    assert shown["status"] == "in_review" and shown["media"][0]["altText"] == "Latte art"
    texts = {t["platform"]: t["text"] for t in shown["targets"]}
    assert texts == {"linkedin": "Spring menu is here\n\n#spring", "x": "Spring, short"}


def test_an_admin_approves_and_reads_each_channels_state(member_api, admin_api, team):
    linkedin = channel(team, "linkedin")
    created = _create(
        member_api, caption="Hello", channels=[{"channelId": linkedin.pk}], publishAt=soon().isoformat(), submit=True
    ).json()
    approved = admin_api.post(f"/api/v1/posts/{created['id']}/approve")
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "scheduled" and approved.json()["approvedBy"]
    PostTarget.objects.filter(post_id=created["id"]).update(
        status="published", remote_url="https://www.linkedin.com/feed/update/urn:li:share:1"
    )
    read = admin_api.get(f"/api/v1/posts/{created['id']}").json()
    assert read["summary"] == "Published on LinkedIn."
    assert read["targets"][0]["status"] == "published" and read["targets"][0]["remoteUrl"].startswith("https://")


def test_an_admin_token_cannot_approve_the_admins_own_post(admin_api, team):
    created = _create(
        admin_api, caption="Mine", channels=[{"channelId": channel(team).pk}], publishAt=soon().isoformat(), submit=True
    ).json()
    refused = admin_api.post(f"/api/v1/posts/{created['id']}/approve")
    assert refused.status_code == 409
    assert "Nobody approves their own post" in refused.json()["errors"][0]["message"]
    assert Post.objects.get(pk=created["id"]).status == Post.Status.IN_REVIEW


def test_a_member_token_cannot_approve(member_api, team, make_member):
    author = make_member("member")
    created = _create(
        api_client(team, author),
        caption="Hi",
        channels=[{"channelId": channel(team).pk}],
        publishAt=soon().isoformat(),
        submit=True,
    ).json()
    assert member_api.post(f"/api/v1/posts/{created['id']}/approve").status_code == 403


def test_refusals_name_the_field_and_save_nothing(member_api, team, other_team):
    x = channel(team, "x")
    past = _create(member_api, caption="Hi", publishAt="2020-01-01T09:00:00Z")
    assert past.status_code == 400 and past.json()["errors"][0]["field"] == "publishAt"
    empty = _create(member_api, caption="", publishAt=soon().isoformat())
    assert empty.status_code == 400 and "empty post" in empty.json()["errors"][0]["message"]
    too_long = _create(member_api, caption="x" * 300, channels=[{"channelId": x.pk}], publishAt=soon().isoformat())
    assert too_long.status_code == 400
    assert too_long.json()["errors"][0]["field"] == "channels" and "280" in too_long.json()["errors"][0]["message"]
    theirs = _create(member_api, caption="Hi", assetIds=[image(other_team).pk], publishAt=soon().isoformat())
    assert theirs.status_code == 404 and theirs.json()["errors"][0]["field"] == "assetIds"
    assert not Post.objects.exists()


def test_schedule_moves_a_post_and_a_naive_time_is_the_teams_zone(member_api, team, member):
    from scheduling import services

    services.schedule_settings_update(team=team, user=member, timezone_name="Asia/Tokyo", queue_slots=[])
    created = _create(member_api, caption="Hi", publishAt=soon().isoformat()).json()
    later = soon(days=4).replace(tzinfo=None)
    moved = member_api.post(
        f"/api/v1/posts/{created['id']}/schedule", {"publishAt": later.isoformat()}, content_type="application/json"
    )
    assert moved.status_code == 200, moved.content
    stored = Post.objects.get(pk=created["id"]).publish_at
    assert stored.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Tokyo")).replace(tzinfo=None) == later


def test_another_teams_post_is_404(member_api, other_team, outsider):
    from tests.scheduling.posting import draft

    theirs = draft(other_team, outsider)
    assert member_api.get(f"/api/v1/posts/{theirs.pk}").status_code == 404
    assert member_api.post(f"/api/v1/posts/{theirs.pk}/cancel").status_code == 404


def test_the_channels_list_gives_tiktoks_privacy_levels(member_api, team):
    channel(team, "tiktok", privacy_level_options=["SELF_ONLY", "PUBLIC_TO_EVERYONE"])
    listed = member_api.get("/api/v1/channels").json()
    assert listed[0]["privacyLevelOptions"] == ["SELF_ONLY", "PUBLIC_TO_EVERYONE"]


def test_the_schema_documents_the_scheduling_operations(member_api):
    schema = Client().get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/posts",
        "/api/v1/posts/{post_id}",
        "/api/v1/posts/{post_id}/approve",
        "/api/v1/posts/{post_id}/schedule",
        "/api/v1/posts/{post_id}/targets/{target_id}/resolve",
        "/api/v1/posts/{post_id}/targets/{target_id}/comment-resolve",
        "/api/v1/channels",
    ):
        assert path in paths, path
    assert "publishAt" in schema["components"]["schemas"]["PostIn"]["properties"]
    assert "targets" in schema["components"]["schemas"]["PostOut"]["properties"]
    assert "needsCommentCheckByHand" in schema["components"]["schemas"]["TargetOut"]["properties"]
    answer = paths["/api/v1/posts/{post_id}/targets/{target_id}/comment-resolve"]["post"]
    assert set(answer["responses"]) >= {"200", "403", "404", "409"}
    body = answer["requestBody"]["content"]["application/json"]["schema"]
    assert list(body["properties"]) == ["found"] and body["required"] == ["found"]
