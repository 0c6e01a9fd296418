"""The offline face check behind the drift score: dlib's frontal detector, 5-point landmarks, 128-d ResNet embedding.

Only two model files are used, both shipped by the face-recognition-models package: the 5-point landmark model and
the ResNet recognition model (never the 68-point model, whose training data forbids commercial use). They are
loaded once per process, on first use, and shared by every call after.
"""

import importlib.util
import io
import math
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy
from PIL import Image, ImageOps

# Detection runs on the image padded to a square and scaled to this edge: a face of ~12% of the long edge or more is
# found at once; a second, upsampled pass looks for smaller ones only when the first finds nothing.
DETECT_EDGE = 640
# The frontal detector's own threshold is 0; patches and folds of cloth score up to ~0.15 there, real faces ~1 or more.
DETECT_MIN_SCORE = 0.3
MAX_FACES = 6
CHIP_SIZE = 150
CHIP_PADDING = 0.25
MAX_DECODE_PIXELS = 40_000_000
LANDMARKS_FILE = "shape_predictor_5_face_landmarks.dat"
RECOGNITION_FILE = "dlib_face_recognition_resnet_model_v1.dat"


class FaceModelsMissing(RuntimeError):
    """The face models are not installed; the drift check cannot run."""


@dataclass(frozen=True)
class Face:
    box: tuple  # (left, top, right, bottom) in the original image's pixels
    embedding: tuple  # 128 floats

    @property
    def area(self):
        return max(0, self.box[2] - self.box[0]) * max(0, self.box[3] - self.box[1])


class _Models:
    def __init__(self):
        import dlib

        folder = _models_folder()
        self.detector = dlib.get_frontal_face_detector()
        self.landmarks = dlib.shape_predictor(str(folder / LANDMARKS_FILE))
        self.recognition = dlib.face_recognition_model_v1(str(folder / RECOGNITION_FILE))
        self.dlib = dlib


_models = None
_models_lock = threading.Lock()
# How many embeddings this process has computed: the tests assert that a version's set is embedded only once.
stats = {"embeddings": 0, "loads": 0}


def _models_folder():
    # Found without importing the package: its __init__ needs pkg_resources, which Python 3.12 no longer ships.
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise FaceModelsMissing("The face-recognition-models package is not installed.")
    folder = Path(next(iter(spec.submodule_search_locations))) / "models"
    for name in (LANDMARKS_FILE, RECOGNITION_FILE):
        if not (folder / name).is_file():
            raise FaceModelsMissing(f"{name} is missing from the face-recognition-models package.")
    return folder


def models():
    """The loaded models, loading them on the first call of this process."""
    global _models
    if _models is None:
        with _models_lock:
            if _models is None:
                _models = _Models()
                stats["loads"] += 1
    return _models


def _rgb(data):
    Image.MAX_IMAGE_PIXELS = max(Image.MAX_IMAGE_PIXELS or 0, MAX_DECODE_PIXELS)
    image = Image.open(io.BytesIO(data))
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        image = image.convert("RGBA")
        backdrop = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(backdrop, image)
    return image.convert("RGB")


def padded_square(image):
    """The image centred on a square canvas: the face keeps its proportions (it is never squashed)."""
    edge = max(image.size)
    if image.width == image.height:
        return image, (0, 0)
    canvas = Image.new("RGB", (edge, edge), (0, 0, 0))
    offset = ((edge - image.width) // 2, (edge - image.height) // 2)
    canvas.paste(image, offset)
    return canvas, offset


def faces_in(data, *, thorough=False):
    """Every face found in the image bytes, each with its box and 128-d embedding, largest first.

    `thorough` always looks for small faces too (the upsampled pass): for identity images, checked once per version,
    where a second, smaller face in the picture must be noticed and named.
    """
    found = models()
    image = _rgb(data)
    square, (dx, dy) = padded_square(image)
    scale = min(1.0, DETECT_EDGE / square.width)
    small = square if scale == 1.0 else square.resize((round(square.width * scale),) * 2, Image.Resampling.BILINEAR)
    pixels = numpy.asarray(small)
    rects = _detect(found, pixels, 1) if thorough else (_detect(found, pixels, 0) or _detect(found, pixels, 1))
    full = pixels if scale == 1.0 else numpy.asarray(square)
    faces = []
    for rect in rects:
        shape = found.landmarks(pixels, rect)
        if scale != 1.0:
            # Found small, cut from the full image: a face found at 80 px is embedded from all its pixels.
            shape = _scaled(found.dlib, shape, 1 / scale)
        chip = found.dlib.get_face_chip(full, shape, size=CHIP_SIZE, padding=CHIP_PADDING)
        embedding = tuple(float(value) for value in found.recognition.compute_face_descriptor(chip))
        stats["embeddings"] += 1
        box = tuple(
            round(value / scale) - offset
            for value, offset in zip(
                (rect.left(), rect.top(), rect.right(), rect.bottom()), (dx, dy, dx, dy), strict=True
            )
        )
        faces.append(Face(box=box, embedding=embedding))
    return sorted(faces, key=lambda face: face.area, reverse=True)


def _detect(found, pixels, upsample):
    """Faces the detector is confident of, largest first, at most MAX_FACES (each costs an embedding)."""
    rects, scores, _kinds = found.detector.run(pixels, upsample, DETECT_MIN_SCORE)
    confident = [rect for rect, score in zip(rects, scores, strict=True) if score >= DETECT_MIN_SCORE]
    return sorted(confident, key=lambda rect: rect.area(), reverse=True)[:MAX_FACES]


def _scaled(dlib, shape, factor):
    rect = shape.rect
    box = dlib.rectangle(*(round(v * factor) for v in (rect.left(), rect.top(), rect.right(), rect.bottom())))
    points = [dlib.point(round(point.x * factor), round(point.y * factor)) for point in shape.parts()]
    return dlib.full_object_detection(box, points)


def distance(a, b):
    return math.dist(a, b)


def closest(faces, identity):
    """(face, distance) of the output face nearest to any identity embedding; (None, None) when either is empty."""
    best = (None, None)
    for face in faces:
        for reference in identity:
            d = distance(face.embedding, reference)
            if best[1] is None or d < best[1]:
                best = (face, d)
    return best
