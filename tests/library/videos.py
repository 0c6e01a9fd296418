"""Video files made by the tests themselves with PyAV: small H.264 MP4 clips (with sound or not), and others."""

import os
import tempfile
from fractions import Fraction

import av
import numpy as np


def clip(
    *,
    seconds=1.0,
    fps=10,
    width=64,
    height=48,
    codec="libx264",
    audio=None,
    container="mp4",
    faststart=True,
    colour=(200, 60, 40),
):
    """An MP4 (or MOV) clip whose frames brighten over time; `audio` names an audio encoder ("aac", "pcm_s16le")."""
    handle, path = tempfile.mkstemp(suffix=f".{container}")
    os.close(handle)
    try:
        # faststart rewrites the file to put the index first, so PyAV must write to a path, not a buffer.
        options = {"movflags": "faststart"} if faststart else {}
        with av.open(path, "w", format=container, options=options) as out:
            video = out.add_stream(codec, rate=fps)
            video.width, video.height, video.pix_fmt = width, height, "yuv420p"
            sound = None
            if audio:
                sound = out.add_stream(audio, rate=48000)
                sound.layout = "mono"
            frames = max(1, round(seconds * fps))
            for index in range(frames):
                level = (index + 1) / frames
                pixels = np.zeros((height, width, 3), np.uint8)
                pixels[:, :] = [round(channel * level) for channel in colour]
                pixels[: height // 2, : width // 2] = 255  # a white corner: the first frame is not flat
                for packet in video.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
                    out.mux(packet)
            for packet in video.encode():
                out.mux(packet)
            if sound is not None:
                _silence(out, sound, seconds)
        with open(path, "rb") as written:
            return written.read()
    finally:
        os.unlink(path)


def _silence(out, sound, seconds):
    samples = round(48000 * seconds)
    step = sound.codec_context.frame_size or 1024
    pts = 0
    fmt = sound.codec_context.format.name
    while pts < samples:
        count = min(step, samples - pts)
        frame = av.AudioFrame.from_ndarray(np.zeros((1, count), dtype=_dtype(fmt)), format=fmt, layout="mono")
        frame.sample_rate, frame.pts, frame.time_base = 48000, pts, Fraction(1, 48000)
        for packet in sound.encode(frame):
            out.mux(packet)
        pts += count
    for packet in sound.encode():
        out.mux(packet)


def _dtype(fmt):
    return {"fltp": np.float32, "flt": np.float32, "s16": np.int16, "s16p": np.int16}[fmt]
