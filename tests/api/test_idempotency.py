"""Idempotency-Key on the API's POSTs: a retry answers the first response and creates nothing (Stripe's semantics)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from library.models import Asset, Board
from studio.api.models import IdempotentRequest
from studio.api.services import idempotent_requests_expire
from studio.api.tasks import idempotency_keys_expire
from studio.credits.models import LedgerEntry, Wallet
from studio.generation.models import GenerationJob
from tests.api.factories import issue_token
from tests.credits.factories import grant
from tests.library import images

pytestmark = pytest.mark.django_db

PAYLOAD = {"model": "local:draft", "prompt": "Three mugs", "size": "1024x1024", "n": 2}


def post(client, payload, key, path="/api/v1/generations"):
    return client.post(path, payload, content_type="application/json", headers={"Idempotency-Key": key})


def test_a_repeat_answers_the_first_response_and_creates_and_holds_nothing_more(admin_api, team, draft_price):
    draft_price(6)
    grant(team, 100)
    first = post(admin_api, PAYLOAD, "order-42")
    assert first.status_code == 202, first.content
    repeat = post(admin_api, PAYLOAD, "order-42")
    assert repeat.status_code == 202
    assert repeat.content == first.content and repeat["Location"] == first["Location"]
    assert repeat["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert GenerationJob.objects.count() == 1
    wallet = Wallet.objects.get(team=team)
    assert (wallet.balance, wallet.held) == (88, 12)
    assert LedgerEntry.objects.filter(kind="hold").count() == 1


def test_the_same_body_in_another_key_order_or_spacing_is_the_same_request(admin_api, team):
    first = post(admin_api, PAYLOAD, "k-1")
    reordered = admin_api.post(
        "/api/v1/generations",
        '{ "n": 2, "size": "1024x1024", "prompt": "Three mugs", "model": "local:draft" }',
        content_type="application/json",
        headers={"Idempotency-Key": "k-1"},
    )
    assert reordered.status_code == 202 and reordered.json() == first.json()
    assert GenerationJob.objects.count() == 1


def test_the_same_key_with_a_different_body_is_a_422_that_says_so(admin_api, team):
    post(admin_api, PAYLOAD, "k-2")
    response = post(admin_api, {**PAYLOAD, "prompt": "Four mugs"}, "k-2")
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "Idempotency-Key"
    assert "already used for a different request" in error["message"] and "new key" in error["message"]
    assert GenerationJob.objects.count() == 1


def test_the_same_key_on_another_endpoint_is_a_422(admin_api):
    post(admin_api, {"name": "Spring"}, "k-3", path="/api/v1/boards")
    response = post(admin_api, PAYLOAD, "k-3")
    assert response.status_code == 422
    assert "POST /api/v1/boards" in response.json()["errors"][0]["message"]
    assert not GenerationJob.objects.exists()


def test_keys_belong_to_the_team_so_another_team_may_use_the_same_one(admin_api, api_client_for, other_team, outsider):
    ours = post(admin_api, PAYLOAD, "shared-key")
    theirs = post(api_client_for(other_team, outsider), PAYLOAD, "shared-key")
    assert ours.status_code == theirs.status_code == 202
    assert ours.json()["id"] != theirs.json()["id"]
    assert GenerationJob.objects.count() == 2


def test_a_refused_request_keeps_no_key_so_it_can_be_retried_once_fixed(admin_api, team, draft_price):
    draft_price(6)
    short = post(admin_api, PAYLOAD, "k-4")
    assert short.status_code == 402
    assert not IdempotentRequest.objects.exists()
    grant(team, 100)  # the admin tops up; the script retries with the same key
    retried = post(admin_api, PAYLOAD, "k-4")
    assert retried.status_code == 202 and "Idempotent-Replayed" not in retried
    assert GenerationJob.objects.count() == 1


def test_a_key_older_than_24_hours_starts_afresh(admin_api, team):
    first = post(admin_api, PAYLOAD, "k-5")
    IdempotentRequest.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))
    again = post(admin_api, PAYLOAD, "k-5")
    assert again.status_code == 202 and again.json()["id"] != first.json()["id"]
    assert GenerationJob.objects.count() == 2


def test_the_periodic_task_forgets_keys_older_than_24_hours(admin_api):
    post(admin_api, PAYLOAD, "old")
    post(admin_api, PAYLOAD, "fresh")
    IdempotentRequest.objects.filter(key="old").update(
        created_at=timezone.now() - datetime.timedelta(hours=24, seconds=1)
    )
    idempotency_keys_expire.apply()
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["fresh"]
    assert idempotent_requests_expire() == 0


@pytest.mark.parametrize(
    ("key", "message"),
    [(" ", "non-empty"), ("k" * 256, "at most 255"), ("bad\x01key", "control character")],
)
def test_an_unusable_key_is_a_400_naming_the_header(admin_api, key, message):
    response = post(admin_api, PAYLOAD, key)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == "Idempotency-Key" and message in error["message"]
    assert not GenerationJob.objects.exists()


def test_a_request_without_a_valid_token_is_a_401_whatever_its_key(client):
    response = post(client, PAYLOAD, "k-6")
    assert response.status_code == 401
    assert not IdempotentRequest.objects.exists()


def test_an_upload_repeated_with_its_key_adds_one_asset_even_with_another_multipart_boundary(admin_api, team):
    data = images.png(120, 80)
    answers = [
        admin_api.post(
            "/api/v1/assets",
            {"file": SimpleUploadedFile("hero.png", data), "name": "Hero"},
            headers={"Idempotency-Key": "upload-1"},
        )
        for _ in range(2)
    ]
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].content == answers[1].content and answers[1]["Idempotent-Replayed"] == "true"
    assert Asset.objects.count() == 1
    other = admin_api.post(
        "/api/v1/assets",
        {"file": SimpleUploadedFile("hero.png", images.png(121, 80)), "name": "Hero"},
        headers={"Idempotency-Key": "upload-1"},
    )
    assert other.status_code == 422 and Asset.objects.count() == 1


def test_a_board_created_with_a_key_is_created_once(admin_api, team):
    answers = [post(admin_api, {"name": "Spring"}, "board-1", path="/api/v1/boards") for _ in range(3)]
    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["id"] for a in answers}) == 1
    assert Board.objects.filter(team=team).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_repeats_with_the_same_key_make_exactly_one_generation(team, admin_user, draft_price):
    from tests.credits.test_concurrency import _run_concurrently

    draft_price(6)
    grant(team, 100)
    _, secret = issue_token(team, admin_user)

    def send():
        client = Client(headers={"Authorization": f"Bearer {secret}"})
        response = post(client, PAYLOAD, "burst-1")
        return response.status_code, response.content

    results = _run_concurrently([send] * 8)
    assert all(outcome == "ok" for outcome, _ in results), results
    answers = [answer for _, answer in results]
    assert {status for status, _ in answers} == {202}
    assert len({content for _, content in answers}) == 1  # every repeat got the first answer
    assert GenerationJob.objects.filter(team=team).count() == 1
    wallet = Wallet.objects.get(team=team)
    assert (wallet.balance, wallet.held) == (88, 12)
    assert IdempotentRequest.objects.filter(team=team, key="burst-1").count() == 1
