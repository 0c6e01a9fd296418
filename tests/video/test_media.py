"""The offline animator, frame fitting, stitching, posters and probes: real PNGs in, real MP4s out (PyAV decodes)."""

import io
import random

import av
import pytest
from PIL import Image, ImageDraw

from studio.video import media
from studio.video.providers.base import FrameLimits
from studio.video.providers.registry import ARK_LIMITS, KLING_LIMITS


def picture(width, height, fmt="PNG", noise=False):
    image = Image.new("RGB", (width, height), (40, 70, 110))
    draw = ImageDraw.Draw(image)
    for x in range(0, width, max(1, width // 12)):
        draw.rectangle((x, height // 3, x + max(1, width // 30), 2 * height // 3), fill=(240, 180, 60))
    if noise:
        image = Image.frombytes("RGB", (width, height), random.Random(7).randbytes(width * height * 3))
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def decoded_frames(mp4):
    with av.open(io.BytesIO(mp4)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        frames = list(container.decode(stream))
        return frames, stream.codec_context.pix_fmt


@pytest.mark.parametrize(
    ("aspect", "duration", "size"),
    [("16:9", 5, (1280, 720)), ("9:16", 3, (720, 1280)), ("1:1", 3, (960, 960)), ("4:5", 3, (858, 1072))],
)
def test_the_animator_makes_a_decodable_h264_clip_of_the_asked_duration_and_aspect(aspect, duration, size):
    clip = media.animate(picture(1536, 1024), duration=duration, aspect=aspect, prompt="slow zoom in", seed=3)
    width, height, seconds = media.probe(clip)
    assert (width, height) == size
    assert width % 2 == 0 and height % 2 == 0 and max(width, height) <= 1280
    assert seconds == pytest.approx(duration, abs=0.05)
    frames, pix_fmt = decoded_frames(clip)
    assert len(frames) == duration * 24
    assert pix_fmt == "yuv420p"


def test_the_clip_is_fast_start_so_a_browser_plays_it_while_loading():
    clip = media.animate(picture(800, 450), duration=3, aspect="16:9", long_side=320, pixel_budget=320 * 180)
    assert clip.index(b"moov") < clip.index(b"mdat")


def test_the_same_frame_prompt_and_seed_give_the_same_clip():
    frame = picture(1200, 800)
    kwargs = {"duration": 3, "aspect": "16:9", "long_side": 320, "pixel_budget": 320 * 180, "prompt": "a calm shot"}
    assert media.animate(frame, seed=11, **kwargs) == media.animate(frame, seed=11, **kwargs)


def test_a_prompt_naming_no_camera_move_gets_one_chosen_by_the_seed():
    moves = [media.motion_for("a calm shot of the product", seed).name for seed in range(12)]
    assert moves == [media.motion_for("a calm shot of the product", seed).name for seed in range(12)]
    assert len(set(moves)) >= 3 and set(moves) <= {"zoom_in", "zoom_out", "pan_left", "pan_right", "parallax"}


@pytest.mark.parametrize(
    ("prompt", "motion"),
    [
        ("Slow zoom in on the bottle", "zoom_in"),
        ("dolly towards the runner", "zoom_in"),
        ("pull back to reveal the city", "zoom_out"),
        ("pan left across the shelf", "pan_left"),
        ("PAN RIGHT over the beach", "pan_right"),
        ("tilt up to the sky", "tilt_up"),
        ("gentle parallax between the model and the street", "parallax"),
    ],
)
def test_the_motion_follows_the_words_of_the_prompt(prompt, motion):
    assert media.motion_for(prompt, seed=1).name == motion


def test_a_zoom_in_ends_closer_than_it_starts():
    clip = media.animate(picture(960, 540), duration=3, aspect="16:9", prompt="zoom in", long_side=320)
    frames, _ = decoded_frames(clip)
    first, last = frames[0].to_image(), frames[-1].to_image()

    # The bars are wider on screen at the end: fewer columns of bar colour fit in the middle row when closer.
    def bars(image):
        row = [image.getpixel((x, image.height // 2)) for x in range(image.width)]
        return sum(1 for a, b in zip(row, row[1:], strict=False) if (a[0] > 150) != (b[0] > 150))

    assert bars(last) < bars(first)


def test_stitching_three_clips_gives_one_clip_of_their_summed_duration():
    frame = picture(960, 540)
    small = {"long_side": 320, "pixel_budget": 320 * 180}
    clips = [
        media.animate(frame, duration=3, aspect="16:9", prompt="zoom in", **small),
        media.animate(frame, duration=5, aspect="16:9", prompt="pan left", **small),
        media.animate(frame, duration=3, aspect="9:16", prompt="parallax", **small),
    ]
    stitched = media.stitch(clips)
    width, height, seconds = media.probe(stitched)
    assert (width, height) == media.probe(clips[0])[:2]
    assert seconds == pytest.approx(11, abs=0.1)
    frames, _ = decoded_frames(stitched)
    assert len(frames) == 11 * 24


def test_stitch_refuses_nothing_and_unreadable_clips():
    with pytest.raises(media.MediaError, match="no clips"):
        media.stitch([])
    with pytest.raises(media.MediaError, match="not a video"):
        media.stitch([b"not a video at all"])


def test_the_poster_is_the_first_frame_as_a_png_of_the_clip_size():
    clip = media.animate(picture(960, 540), duration=3, aspect="16:9", long_side=320, pixel_budget=320 * 180)
    image = Image.open(io.BytesIO(media.poster(clip)))
    assert image.format == "PNG"
    assert image.size == media.probe(clip)[:2]


def test_a_frame_within_the_limits_goes_through_untouched():
    frame = picture(1280, 720)
    data, fmt, note = media.fit_frame(frame, KLING_LIMITS, "16:9", provider_label="Kling")
    assert (data, fmt, note) == (frame, "png", "")


def test_a_frame_wider_than_kling_takes_is_padded_to_2_5_to_1_and_says_so():
    data, fmt, note = media.fit_frame(picture(1500, 500), KLING_LIMITS, provider_label="Kling")
    image = Image.open(io.BytesIO(data))
    assert image.width / image.height == pytest.approx(2.5, abs=0.01)
    assert image.width == 1500
    assert note == "Padded to 2.5:1 for Kling."


def test_a_frame_taller_than_ark_takes_is_padded_to_1_to_2_5():
    data, _, note = media.fit_frame(picture(400, 1200), ARK_LIMITS, provider_label="Seedance 1.0 Pro")
    image = Image.open(io.BytesIO(data))
    assert image.width / image.height == pytest.approx(0.4, abs=0.01)
    assert note == "Padded to 1:2.5 for Seedance 1.0 Pro."


def test_a_frame_off_the_shots_aspect_is_cropped_to_it():
    data, _, note = media.fit_frame(picture(1000, 1000), KLING_LIMITS, "16:9", provider_label="Kling")
    image = Image.open(io.BytesIO(data))
    assert image.width / image.height == pytest.approx(16 / 9, abs=0.01)
    assert note == "Cropped to 16:9 for Kling."


def test_a_small_frame_is_enlarged_to_the_minimum_side():
    data, _, note = media.fit_frame(picture(320, 180), KLING_LIMITS, "16:9", provider_label="Kling")
    image = Image.open(io.BytesIO(data))
    assert min(image.size) == 300
    assert note == "Enlarged to 300 px on the short side for Kling."


def test_a_frame_over_the_byte_limit_is_re_encoded_as_jpeg_under_it():
    frame = picture(1200, 900, noise=True)
    limits = FrameLimits(min_side=300, max_bytes=len(frame) // 2)  # noise: PNG ~3 MB, JPEG about a third
    data, fmt, note = media.fit_frame(frame, limits, "4:3", provider_label="Kling")
    assert fmt == "jpeg" and len(data) <= limits.max_bytes
    assert Image.open(io.BytesIO(data)).format == "JPEG"
    assert "Re-encoded as JPEG" in note and "for Kling" in note


def test_a_format_the_provider_refuses_is_re_encoded():
    frame = picture(800, 450, fmt="WEBP")
    data, fmt, note = media.fit_frame(frame, KLING_LIMITS, "16:9", provider_label="Kling")
    assert fmt == "jpeg" and Image.open(io.BytesIO(data)).format == "JPEG"
    assert "the format is not accepted" in note


def test_an_unreadable_frame_is_refused_in_words():
    with pytest.raises(media.MediaError, match="not an image"):
        media.fit_frame(b"<svg/>", KLING_LIMITS, "16:9")
