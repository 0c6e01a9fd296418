"""Video media with PyAV and Pillow, no ffmpeg binary: the offline animator, frame fitting, stitching, posters, probes.

`animate` turns one still into a pan/zoom/parallax clip (H.264, yuv420p, +faststart, 24 fps); `fit_frame` bends a
frame into a provider's limits and says in words what changed; `stitch` joins clips into one MP4; `poster` and
`probe` read a clip back.
"""

import io
import math
import os
import random
import re
import tempfile
from dataclasses import dataclass
from fractions import Fraction

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageOps

FPS = 24
LONG_SIDE = 1280
PIXEL_BUDGET = 1280 * 720  # every aspect gets about as many pixels as 720p, so square clips cost no more
MAX_INPUT_PIXELS = 50_000_000  # a frame larger than this is refused rather than decoded
# superfast: about three times faster than veryfast here for these smooth camera moves, and smaller files.
ENCODER_OPTIONS = {"preset": "superfast", "crf": "23"}


class MediaError(Exception):
    """A frame or clip that cannot be read or made; the message is fit to show the user."""


# Sizes and aspects ------------------------------------------------------------------------------------------


def aspect_ratio(aspect):
    """16:9 → 1.777…; None for "adaptive" or anything that is not W:H."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?)\s*", aspect or "")
    if not match or float(match.group(2)) == 0:
        return None
    return float(match.group(1)) / float(match.group(2))


def output_size(aspect, *, long_side=LONG_SIDE, pixel_budget=PIXEL_BUDGET):
    """Even width and height for `aspect`: at most `long_side` on the long side and about `pixel_budget` pixels."""
    ratio = aspect_ratio(aspect) or 16 / 9
    height = min(long_side / max(ratio, 1.0), math.sqrt(pixel_budget / ratio))
    width = height * ratio
    return max(2, int(width) // 2 * 2), max(2, int(height) // 2 * 2)


def ratio_words(ratio):
    """2.5 → "2.5:1", 0.4 → "1:2.5"."""
    if ratio >= 1:
        return f"{round(ratio, 2):g}:1"
    return f"1:{round(1 / ratio, 2):g}"


def _open_image(data):
    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_INPUT_PIXELS:
            raise MediaError(f"The frame is {image.width}×{image.height} pixels, more than a video frame can be.")
        image.load()
    except MediaError:
        raise
    except Exception as exc:
        raise MediaError("The frame is not an image that can be read (PNG or JPEG expected).") from exc
    return image


def _rgb(image):
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        flat = Image.new("RGB", image.size, (0, 0, 0))
        flat.paste(image, mask=image.getchannel("A"))
        return flat
    return image.convert("RGB")


def _cover(image, width, height):
    """`image` cropped to width:height around its centre and resized to exactly that size."""
    return ImageOps.fit(image, (width, height), method=Image.Resampling.BICUBIC, centering=(0.5, 0.5))


# Frame fitting ----------------------------------------------------------------------------------------------


def _pad_to(image, ratio):
    """Pad with the frame's own average colour so it reaches `ratio` (width / height)."""
    width, height = image.size
    wide = width / height > ratio
    size = (width, math.ceil(width / ratio)) if wide else (math.ceil(height * ratio), height)
    fill = image.resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
    canvas = Image.new("RGB", size, fill)
    canvas.paste(image, ((size[0] - width) // 2, (size[1] - height) // 2))
    return canvas


def _jpeg_under(image, max_bytes, min_side):
    """JPEG bytes under `max_bytes`: lower quality first, then smaller, never below `min_side` on the short side."""
    scale = 1.0
    while True:
        candidate = image
        if scale < 1.0:
            size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
            candidate = image.resize(size, Image.Resampling.LANCZOS)
        for quality in (92, 85, 75, 65):
            buffer = io.BytesIO()
            candidate.save(buffer, "JPEG", quality=quality, optimize=True)
            if buffer.tell() <= max_bytes:
                return buffer.getvalue(), candidate.size
        if min(candidate.size) * 0.85 < min_side:
            raise MediaError(f"The frame cannot be made smaller than {max_bytes // (1024 * 1024)} MB.")
        scale *= 0.85


def fit_frame(data, limits, aspect=None, *, provider_label=""):
    """(bytes, format, note): the frame within `limits` (FrameLimits), cropped to `aspect` when it strays from it.

    Order: crop to the shot's aspect (when given and more than 2% off), pad into the provider's aspect range,
    enlarge to its minimum side, then re-encode as JPEG when the format is not accepted or the file is too large.
    `note` says in words what changed ("Padded to 2.5:1 for Kling"), empty when the frame went through untouched.
    """
    source = _open_image(data)
    source_format = (source.format or "").lower().replace("jpg", "jpeg")
    image = _rgb(source)
    notes, changed = [], False

    target = aspect_ratio(aspect) if aspect else None
    if target and abs(image.width / image.height - target) / target > 0.02:
        width = min(image.width, round(image.height * target))
        height = min(image.height, round(width / target))
        image = _cover(image, width, height)
        notes.append(f"cropped to {aspect}")
        changed = True

    ratio = image.width / image.height
    if ratio > limits.max_aspect + 1e-6 or ratio < limits.min_aspect - 1e-6:
        bound = limits.max_aspect if ratio > limits.max_aspect else limits.min_aspect
        image = _pad_to(image, bound)
        notes.append(f"padded to {ratio_words(bound)}")
        changed = True

    if min(image.size) < limits.min_side:
        scale = limits.min_side / min(image.size)
        image = image.resize(
            (
                max(limits.min_side, math.ceil(image.width * scale)),
                max(limits.min_side, math.ceil(image.height * scale)),
            ),
            Image.Resampling.LANCZOS,
        )
        notes.append(f"enlarged to {limits.min_side} px on the short side")
        changed = True

    accepted = source_format in limits.formats
    if not changed and accepted and len(data) <= limits.max_bytes:
        return data, source_format, ""
    if changed and "png" in limits.formats:
        buffer = io.BytesIO()
        image.save(buffer, "PNG", optimize=False, compress_level=6)
        if buffer.tell() <= limits.max_bytes:
            return buffer.getvalue(), "png", _note(notes, provider_label)
    encoded, size = _jpeg_under(image, limits.max_bytes, limits.min_side)
    if not changed or size != image.size or len(data) > limits.max_bytes:
        megabytes = limits.max_bytes / (1024 * 1024)
        reason = "the format is not accepted" if not accepted else f"files must be under {megabytes:g} MB"
        notes.append(f"re-encoded as JPEG ({reason})")
    return encoded, "jpeg", _note(notes, provider_label)


def _note(notes, provider_label):
    if not notes:
        return ""
    text = "; ".join(notes)
    text = text[0].upper() + text[1:]
    return f"{text} for {provider_label}." if provider_label else f"{text}."


# Writing clips ----------------------------------------------------------------------------------------------


class _Writer:
    """An H.264 MP4 in memory: yuv420p, the moov atom first (+faststart) so a browser plays it while it loads."""

    def __init__(self, width, height, fps=FPS):
        # +faststart rewrites the file once it is complete, which FFmpeg does by reopening it: a real temporary
        # file, not a BytesIO.
        self.directory = tempfile.TemporaryDirectory(prefix="postframe-clip-")
        self.path = os.path.join(self.directory.name, "clip.mp4")
        self.container = av.open(self.path, mode="w", format="mp4", options={"movflags": "+faststart"})
        self.stream = self.container.add_stream("libx264", rate=fps, options=dict(ENCODER_OPTIONS))
        self.stream.width, self.stream.height, self.stream.pix_fmt = width, height, "yuv420p"
        # The muxer swaps the stream's time base for its own once the header is written: keep the frames' apart.
        self.frame_time_base = Fraction(1, fps)
        self.stream.time_base = self.frame_time_base
        self.count = 0

    def add(self, frame):
        """Add a PIL image or an av.VideoFrame (reformatted to the stream's size when it differs)."""
        if isinstance(frame, Image.Image):
            frame = av.VideoFrame.from_image(frame)
        if frame.width != self.stream.width or frame.height != self.stream.height or frame.format.name != "yuv420p":
            frame = frame.reformat(
                width=self.stream.width, height=self.stream.height, format="yuv420p", interpolation="FAST_BILINEAR"
            )
        frame.pts = self.count
        frame.time_base = self.frame_time_base
        self.count += 1
        for packet in self.stream.encode(frame):
            self.container.mux(packet)

    def finish(self):
        for packet in self.stream.encode():
            self.container.mux(packet)
        self.container.close()
        try:
            with open(self.path, "rb") as clip:
                return clip.read()
        finally:
            self.directory.cleanup()


# The offline animator ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Motion:
    """A camera move over the still: the crop window's centre and scale at the start and the end, in 0–1 units."""

    name: str
    start: tuple  # (centre x, centre y, scale): scale is the window's width as a share of the source's
    end: tuple
    parallax: float = 0.0  # how much faster the centre region moves than the edges (0: no parallax layer)


MOTION_WORDS = (
    ("parallax", ("parallax", "2.5d", "depth")),
    ("zoom_out", ("zoom out", "pull back", "pull out", "dolly out", "widen")),
    ("zoom_in", ("zoom in", "push in", "dolly in", "dolly", "close in", "move in", "zoom")),
    ("pan_left", ("pan left", "truck left", "slide left", "move left")),
    ("pan_right", ("pan right", "truck right", "slide right", "move right", "pan")),
    ("tilt_up", ("tilt up", "pan up", "crane up", "rise", "upward")),
    ("tilt_down", ("tilt down", "pan down", "crane down", "descend", "downward")),
)


def motion_for(prompt, seed=0):
    """The camera move the motion prompt asks for in words; a seeded gentle move when it names none."""
    rng = random.Random(seed)
    lowered = (prompt or "").lower()
    name = next((name for name, words in MOTION_WORDS if any(word in lowered for word in words)), None)
    if name is None:
        name = rng.choice(("zoom_in", "zoom_out", "pan_left", "pan_right", "parallax"))
    depth = rng.uniform(0.78, 0.86)  # how far a zoom goes, or how much of the frame a pan shows
    drift = rng.uniform(-0.02, 0.02)  # a slight sideways drift so two zooms of one seed-less frame differ
    half = (1 - depth) / 2
    moves = {
        "zoom_in": Motion("zoom_in", (0.5, 0.5, 1.0), (0.5 + drift, 0.5, depth)),
        "zoom_out": Motion("zoom_out", (0.5 + drift, 0.5, depth), (0.5, 0.5, 1.0)),
        # The camera pans left: the window moves left across the picture.
        "pan_left": Motion("pan_left", (0.5 + half, 0.5, depth), (0.5 - half, 0.5, depth)),
        "pan_right": Motion("pan_right", (0.5 - half, 0.5, depth), (0.5 + half, 0.5, depth)),
        "tilt_up": Motion("tilt_up", (0.5, 0.5 + half, depth), (0.5, 0.5 - half, depth)),
        "tilt_down": Motion("tilt_down", (0.5, 0.5 - half, depth), (0.5, 0.5 + half, depth)),
        "parallax": Motion(
            "parallax", (0.5 - half / 2, 0.5, 0.92), (0.5 + half / 2, 0.5, 0.9), parallax=rng.uniform(1.5, 1.9)
        ),
    }
    return moves[name]


def _ease(t):
    return t * t * (3 - 2 * t)


def _box(source_size, out_ratio, centre_x, centre_y, scale):
    """The crop box (floats) of width `scale` × source width at that centre, kept inside the source."""
    src_w, src_h = source_size
    width = src_w * scale
    height = width / out_ratio
    if height > src_h:
        height = src_h
        width = height * out_ratio
    left = min(max(centre_x * src_w - width / 2, 0.0), src_w - width)
    top = min(max(centre_y * src_h - height / 2, 0.0), src_h - height)
    return (left, top, left + width, top + height)


def _parallax_mask(width, height):
    """A soft ellipse over the centre: the region that moves faster, feathered into the edges."""
    mask = Image.new("L", (width, height), 0)
    ImageDraw.Draw(mask).ellipse((width * 0.22, height * 0.16, width * 0.78, height * 0.9), fill=255)
    luma = np.asarray(mask.filter(ImageFilter.GaussianBlur(radius=max(width, height) / 40)), dtype=np.uint16)
    chroma = luma[::2, ::2].ravel()
    # Laid out like a yuv420p frame's ndarray (Y rows, then U, then V), so one expression blends all three planes.
    return np.concatenate([luma.ravel(), chroma, chroma]).reshape(height * 3 // 2, width)


def _window(pixels, box, width, height, pix_fmt):
    """The source pixels inside `box` (rounded to whole pixels) scaled to width×height by swscale."""
    left, top, right, bottom = (round(edge) for edge in box)
    window = np.ascontiguousarray(pixels[top:bottom, left:right])
    return av.VideoFrame.from_ndarray(window, format="rgb24").reformat(
        width=width, height=height, format=pix_fmt, interpolation="BILINEAR"
    )


def animate(frame, *, duration, aspect, prompt="", seed=0, long_side=LONG_SIDE, fps=FPS, pixel_budget=PIXEL_BUDGET):
    """An MP4 clip of `duration` seconds at `aspect` moving over the still `frame` (PNG/JPEG bytes).

    Deterministic for the same frame, prompt and seed. The still is prepared once at 1.25× the output size; each
    output frame is a numpy slice of it scaled and converted to yuv420p in one swscale pass (parallax: two windows
    blended through a feathered mask).
    """
    width, height = output_size(aspect, long_side=long_side, pixel_budget=pixel_budget)
    out_ratio = width / height
    source = _cover(_rgb(_open_image(frame)), round(width * 1.25), round(height * 1.25))
    pixels = np.asarray(source)
    motion = motion_for(prompt, seed)
    total = max(1, round(duration * fps))
    mask = _parallax_mask(width, height) if motion.parallax else None
    writer = _Writer(width, height, fps)
    for index in range(total):
        t = _ease(index / (total - 1)) if total > 1 else 0.0
        cx, cy, scale = (a + (b - a) * t for a, b in zip(motion.start, motion.end, strict=True))
        box = _box(source.size, out_ratio, cx, cy, scale)
        if mask is None:
            writer.add(_window(pixels, box, width, height, "yuv420p"))
            continue
        # The centre layer travels `parallax` times as far and comes slightly closer (a smaller window).
        near = _box(source.size, out_ratio, 0.5 + (cx - 0.5) * motion.parallax, cy, scale * (0.97 - 0.03 * t))
        back = _window(pixels, box, width, height, "yuv420p").to_ndarray().astype(np.uint16)
        front = _window(pixels, near, width, height, "yuv420p").to_ndarray().astype(np.uint16)
        blended = ((back * (255 - mask) + front * mask) // 255).astype(np.uint8)
        writer.add(av.VideoFrame.from_ndarray(blended, format="yuv420p"))
    return writer.finish()


# Reading clips ----------------------------------------------------------------------------------------------


def _open_clip(mp4):
    try:
        container = av.open(io.BytesIO(mp4), mode="r")
    except Exception as exc:
        raise MediaError("The clip is not a video that can be read.") from exc
    if not container.streams.video:
        container.close()
        raise MediaError("The clip has no video track.")
    return container


def probe(mp4):
    """(width, height, duration in seconds) of an MP4's video track."""
    with _open_clip(mp4) as container:
        stream = container.streams.video[0]
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration = container.duration / av.time_base
        else:
            duration = sum(1 for _ in container.decode(stream)) / float(stream.average_rate or FPS)
        return stream.codec_context.width, stream.codec_context.height, duration


def poster(mp4):
    """The clip's first frame as PNG bytes."""
    with _open_clip(mp4) as container:
        for frame in container.decode(video=0):
            buffer = io.BytesIO()
            frame.to_image().save(buffer, "PNG")
            return buffer.getvalue()
    raise MediaError("The clip has no frames.")


def _letterboxed(frame, width, height):
    """`frame` scaled into width×height keeping its aspect, on black (the same aspect: a plain reformat)."""
    if abs(frame.width / frame.height - width / height) < 0.01:
        return frame.reformat(width=width, height=height, format="yuv420p")
    image = ImageOps.pad(frame.to_image(), (width, height), color=(0, 0, 0), method=Image.Resampling.BILINEAR)
    return av.VideoFrame.from_image(image)


def stitch(clips, *, fps=FPS):
    """One MP4 of `clips` in order, re-encoded at the first clip's size and `fps`; its duration is their sum."""
    if not clips:
        raise MediaError("There are no clips to stitch.")
    width, height, _ = probe(clips[0])
    width, height = width // 2 * 2, height // 2 * 2
    writer = _Writer(width, height, fps)
    for clip in clips:
        _, _, duration = probe(clip)
        wanted = max(1, round(duration * fps))
        emitted, last = 0, None
        with _open_clip(clip) as container:
            start = None
            for frame in container.decode(video=0):
                moment = frame.time or 0.0
                start = moment if start is None else start
                # Every output instant before this frame's time shows the frame before it.
                while last is not None and emitted < wanted and emitted / fps < moment - start - 1e-6:
                    writer.add(_letterboxed(last, width, height))
                    emitted += 1
                last = frame
        if last is None:
            raise MediaError("One of the clips has no frames.")
        while emitted < wanted:
            writer.add(_letterboxed(last, width, height))
            emitted += 1
    return writer.finish()
