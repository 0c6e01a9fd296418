"""The platform fakes refuse what the platforms refuse and count exactly, also under concurrent requests."""

import threading

import httpx
import pytest

from scheduling.publishers import webhook
from tests.fakes.social import image_bytes


def test_linkedin_refuses_a_call_without_a_version_or_the_restli_header(fake_linkedin):
    token = fake_linkedin.issue_token()
    auth = {"Authorization": f"Bearer {token}"}

    missing = httpx.get(f"{fake_linkedin.url}/rest/posts?q=author", headers=auth)
    no_restli = httpx.get(f"{fake_linkedin.url}/rest/posts?q=author", headers={**auth, "LinkedIn-Version": "202611"})
    sunset = httpx.get(f"{fake_linkedin.url}/rest/posts?q=author", headers={**auth, "LinkedIn-Version": "202001"})

    assert missing.status_code == 400 and missing.json()["code"] == "VERSION_MISSING"
    assert no_restli.status_code == 400 and "X-Restli-Protocol-Version" in no_restli.json()["message"]
    assert sunset.status_code == 426


def test_instagram_refuses_a_carousel_of_eleven_and_an_unknown_token(fake_instagram, media_host):
    token, user = fake_instagram.issue_token(), fake_instagram.authorize_as
    url = media_host.add(image_bytes(1080, 1080))
    children = [
        httpx.post(
            f"{fake_instagram.url}/{user}/media",
            data={"image_url": url, "is_carousel_item": "true", "access_token": token},
        ).json()["id"]
        for _ in range(11)
    ]

    carousel = httpx.post(
        f"{fake_instagram.url}/{user}/media",
        data={"media_type": "CAROUSEL", "children": ",".join(children), "access_token": token},
    )
    stranger = httpx.get(f"{fake_instagram.url}/{user}/media", params={"access_token": "nope"})

    assert carousel.status_code == 400 and "between 2 and 10" in carousel.json()["error"]["message"]
    assert stranger.json()["error"]["code"] == 190


def test_x_refuses_an_authorization_without_pkce(fake_x):
    answer = httpx.get(
        f"{fake_x.url}/i/oauth2/authorize",
        params={"client_id": fake_x.client_id, "state": "s", "redirect_uri": "https://a.test/cb"},
    )
    assert answer.status_code == 400


def test_tiktok_refuses_a_privacy_level_outside_the_options(fake_tiktok, media_host):
    fake_tiktok.privacy_level_options = ["SELF_ONLY"]
    fake_tiktok.verified_prefixes.append(media_host.url)
    body = {
        "post_info": {"privacy_level": "PUBLIC_TO_EVERYONE"},
        "post_mode": "DIRECT_POST",
        "media_type": "PHOTO",
        "source_info": {"source": "PULL_FROM_URL", "photo_images": [media_host.add(image_bytes())]},
    }

    answer = httpx.post(
        f"{fake_tiktok.url}/v2/post/publish/content/init/",
        json=body,
        headers={"Authorization": f"Bearer {fake_tiktok.issue_token()}"},
    )

    assert answer.json()["error"]["code"] == "privacy_level_option_mismatch"
    assert not fake_tiktok.posts


def test_a_signed_media_url_past_its_time_is_refused(media_host):
    url = media_host.add(image_bytes(), ttl=-1)
    assert httpx.get(url).status_code == 403
    assert httpx.get(media_host.add(image_bytes())).headers["content-type"] == "image/jpeg"


def test_the_receiver_counts_each_delivery_once_under_concurrent_repeats(webhook_receiver):
    ids = [f"delivery-{n}" for n in range(40)]
    errors = []

    def deliver(delivery):
        body = f'{{"id":"{delivery}","text":"{delivery}"}}'.encode()
        stamp = str(int(__import__("time").time()))
        headers = {
            "X-Postframe-Delivery": delivery,
            "X-Postframe-Timestamp": stamp,
            "X-Postframe-Signature": webhook.signature(webhook_receiver.secret, stamp, body),
            "Content-Type": "application/json",
        }
        with httpx.Client() as client:
            for _ in range(5):
                answer = client.post(webhook_receiver.hook_url(), content=body, headers=headers)
                if answer.status_code != 200:
                    errors.append(answer.status_code)

    threads = [threading.Thread(target=deliver, args=(delivery,)) for delivery in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert webhook_receiver.deliveries == dict.fromkeys(ids, 1)
    assert webhook_receiver.duplicates == dict.fromkeys(ids, 4)


@pytest.mark.parametrize("fixture", ["fake_instagram", "fake_linkedin", "fake_x", "fake_tiktok"])
def test_every_fake_answers_an_unknown_path_with_404(fixture, request):
    fake = request.getfixturevalue(fixture)
    assert httpx.get(f"{fake.url}/nowhere/at/all").status_code == 404
