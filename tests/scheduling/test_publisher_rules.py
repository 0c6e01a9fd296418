"""What the composer learns from problems() before saving: each platform's rules in words, and which fix themselves."""

import pytest

from scheduling.publishers.base import PublishMedia, PublishRequest
from scheduling.publishers.registry import PLATFORMS, images_to_convert, publisher_for


def image(fmt="jpeg", width=1080, height=1350, size=500_000):
    return PublishMedia(
        url="https://example.test/a", kind="image", mime=f"image/{fmt}", width=width, height=height, size=size
    )


def problems(platform, text="Caption", media=(), **options):
    return publisher_for(platform).problems(PublishRequest("p", text, tuple(media), options=options))


def test_every_platform_has_a_label_rules_and_a_publisher():
    assert set(PLATFORMS) == {"instagram", "linkedin", "x", "tiktok", "webhook", "bundle"}
    for key, platform in PLATFORMS.items():
        assert publisher_for(key).platform == key and platform.label and platform.rules.caption_max


def test_an_unknown_platform_is_refused():
    with pytest.raises(ValueError, match="mastodon"):
        publisher_for("mastodon")


def test_instagram_converts_pngs_and_says_so():
    found = problems("instagram", media=[image("png"), image(), image("png")])
    assert found == ["Instagram takes JPEG only: 2 of 3 images are PNG — they'll be converted to JPEG when you save."]
    assert found[0].fixable
    assert len(images_to_convert("instagram", [image("png"), image(), image("png")])) == 2


def test_instagram_refuses_a_panorama_eleven_images_and_a_long_caption():
    found = problems("instagram", "x" * 2201, [image(width=2000, height=800)] + [image()] * 10)
    assert "Instagram takes up to 2,200 characters: this caption is 2,201, 1 character too many." in found
    assert "Instagram takes up to 10 items in one post: this one has 11." in found
    assert "Instagram takes images from 4:5 (tall) to 1.91:1 (wide): image 1 is 2000×800 — crop it to fit." in found
    assert not any(problem.fixable for problem in found)


def test_instagram_needs_an_image_and_refuses_a_jpeg_over_8_mib():
    assert problems("instagram") == ["Instagram needs at least 1 image or video in a post."]
    assert problems("instagram", media=[image(size=9 * 1024 * 1024)]) == [
        "Instagram takes images up to 8.0 MB: image 1 is 9.0 MB."
    ]


def test_x_counts_280_characters_and_four_photos():
    found = problems("x", "y" * 281, [image()] * 5)
    assert "X takes up to 280 characters: this caption is 281, 1 character too many." in found
    assert "X takes up to 4 items in one post: this one has 5." in found
    assert problems("x", "Fine", [image("png")]) == []


def test_linkedin_takes_images_or_one_pdf_not_both():
    pdf = PublishMedia(url="u", kind="pdf", mime="application/pdf", size=1000, pages=301)
    found = problems("linkedin", media=[pdf, image()])
    assert "LinkedIn takes either images or one PDF document in a post, not both or several PDFs." in found
    assert "LinkedIn takes documents up to 300 pages: this PDF has 301." in found
    assert problems("linkedin", "x" * 3000, [image()] * 20) == []


def test_tiktok_wants_a_privacy_level_from_the_creators_options():
    assert "Choose who can see this TikTok post (TikTok requires a privacy level)." in problems(
        "tiktok", media=[image()]
    )
    allowed = ["FOLLOWER_OF_CREATOR", "SELF_ONLY"]
    found = problems("tiktok", media=[image()], privacy_level="PUBLIC_TO_EVERYONE", privacy_level_options=allowed)
    assert found == ["This TikTok account can post to: followers, only me."]
    unaudited = problems("tiktok", media=[image()], privacy_level="PUBLIC_TO_EVERYONE", audited=False)
    assert unaudited == ['TikTok has not audited this app yet, so it posts as "only me".']


def test_tiktok_converts_pngs_and_limits_title_and_count():
    found = problems("tiktok", media=[image("png")] + [image()] * 35, privacy_level="SELF_ONLY", title="t" * 91)
    assert "TikTok takes up to 35 items in one post: this one has 36." in found
    assert "TikTok takes titles up to 90 characters: this one is 91." in found
    assert [problem for problem in found if problem.fixable] == [
        "TikTok takes JPEG or WebP only: 1 of 36 images is PNG — it'll be converted to JPEG when you save."
    ]


def test_webhook_and_bundle_take_anything():
    video = PublishMedia(url="u", kind="video", mime="video/mp4")
    assert problems("webhook", "x" * 5000, [video, image("png")]) == []
    assert problems("bundle", "x" * 5000, [video, image("png")]) == []
