"""Opening a video safely with PyAV: MP4 or MOV holding H.264 video (audio optional), capped in bytes, length and
pixels, read to its end without decoding (a cut-short file is refused), its first decodable frame the poster.

The file is kept as it came: browsers play H.264 in MP4 and seek in it through the file view's range requests.
"""

import io
import logging
from dataclasses import dataclass, field

import av
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from PIL import Image

from library.validators import UploadRejected

logger = logging.getLogger(__name__)

ALLOWED_VIDEO = "The library keeps MP4 or MOV videos with H.264 video (and AAC, MP3 or Opus sound, if any)."
VIDEO_MAX_SECONDS = 10 * 60
# DCI 4K: the largest frame a video service here makes, and the most a browser tab decodes comfortably.
VIDEO_MAX_PIXELS = 4096 * 2160
VIDEO_CODECS = {"h264"}
AUDIO_CODECS = {"aac", "mp3", "mp3float", "opus"}
# A poster comes from the first frame that decodes; a stream that yields none in this many packets has none.
POSTER_PACKETS = 300
# The ISO base media boxes a QuickTime or MP4 file starts with.
FIRST_BOXES = (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip")


@dataclass
class CleanVideo:
    """What may be stored: the file as it came, its size and length, and a poster frame for the renditions."""

    data: bytes
    format: str  # mp4 (MOV files hold the same H.264 and are served as MP4)
    width: int
    height: int
    duration_ms: int
    poster: Image.Image
    notes: list[str] = field(default_factory=list)


def validate_video(data):
    """Return a CleanVideo for an MP4/MOV with H.264 video that is safe to store, or raise UploadRejected."""
    data = bytes(data)
    if not data:
        raise UploadRejected("This file is empty (0 bytes).")
    limit = settings.POSTFRAME_VIDEO_MAX_BYTES
    if len(data) > limit:
        raise UploadRejected(
            f"This video is {filesizeformat(len(data))}; the limit is {filesizeformat(limit)}. Export a shorter one."
        )
    if data[4:8] not in FIRST_BOXES:
        raise UploadRejected("This file is not an MP4 or MOV video. " + ALLOWED_VIDEO)
    if not _boxes_whole(data):
        raise UploadRejected("This video is cut short (its file ends inside a part of it). Export it again.")
    try:
        return _validate(data)
    except UploadRejected:
        raise
    except MemoryError:
        raise UploadRejected("This video is too large to open. " + ALLOWED_VIDEO) from None
    except Exception:
        logger.info("video refused: unreadable", exc_info=True)
        raise UploadRejected(
            "This video is damaged or cut short, so it was not added. Export it again. " + ALLOWED_VIDEO
        ) from None


def _validate(data):
    with av.open(io.BytesIO(data), mode="r", format="mov") as container:
        if not container.streams.video:
            raise UploadRejected("This file has no video picture in it. " + ALLOWED_VIDEO)
        video = container.streams.video[0]
        codec = video.codec_context.name
        if codec not in VIDEO_CODECS:
            raise UploadRejected(f"This video is encoded as {codec.upper()}, not H.264. " + ALLOWED_VIDEO)
        for audio in container.streams.audio:
            if audio.codec_context.name not in AUDIO_CODECS:
                raise UploadRejected(
                    f"This video's sound is {audio.codec_context.name.upper()}, which browsers cannot play. "
                    + ALLOWED_VIDEO
                )
        width, height = video.codec_context.width, video.codec_context.height
        if width <= 0 or height <= 0:
            raise UploadRejected("This video says its picture is 0 pixels wide or high. " + ALLOWED_VIDEO)
        if width * height > VIDEO_MAX_PIXELS:
            raise UploadRejected(
                f"This video is {width:,} × {height:,} pixels; the limit is 4096 × 2160 (4K). Export a smaller one."
            )
        duration_ms = _duration_ms(container, video)
        if duration_ms <= 0:
            raise UploadRejected("This video has no length (0 seconds). " + ALLOWED_VIDEO)
        if duration_ms > VIDEO_MAX_SECONDS * 1000:
            raise UploadRejected(
                f"This video is {_clock(duration_ms)} long; the limit is {VIDEO_MAX_SECONDS // 60} minutes. "
                "Cut it shorter."
            )
        poster, packets = None, 0
        for packet in container.demux(video):
            if packet.size == 0:
                continue  # the demuxer's end-of-stream flush
            packets += 1
            if poster is None and packets <= POSTER_PACKETS:
                frames = packet.decode()
                if frames:
                    poster = frames[0].to_image()
        if poster is None and packets:
            frames = video.decode(None)  # a decoder may hold its first frames until it is flushed
            poster = frames[0].to_image() if frames else None
        if poster is None:
            raise UploadRejected("No frame of this video could be decoded, so it was not added. " + ALLOWED_VIDEO)
        if video.frames and packets < video.frames:
            raise UploadRejected("This video is cut short (frames are missing at its end). Export it again.")
    return CleanVideo(data, "mp4", width, height, duration_ms, poster.convert("RGB"))


def _boxes_whole(data):
    """Whether the file's top-level boxes (ftyp, moov, mdat…) each end within it: a cut-short download does not."""
    pos, size = 0, len(data)
    while pos < size:
        if pos + 8 > size:
            return False
        length = int.from_bytes(data[pos : pos + 4])
        if length == 1:  # a 64-bit size follows the type
            if pos + 16 > size:
                return False
            length = int.from_bytes(data[pos + 8 : pos + 16])
        elif length == 0:  # the last box runs to the end of the file
            return True
        if length < 8 or pos + length > size:
            return False
        pos += length
    return True


def _duration_ms(container, video):
    if video.duration and video.time_base:
        return round(float(video.duration * video.time_base) * 1000)
    if container.duration:
        return round(container.duration / 1000)  # microseconds (AV_TIME_BASE)
    return 0


def _clock(ms):
    seconds = round(ms / 1000)
    return f"{seconds // 60}:{seconds % 60:02d}"
