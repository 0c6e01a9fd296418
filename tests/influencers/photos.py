"""Real photographs that packages ship, for the face check: scikit-image's astronaut and matplotlib's Grace Hopper.

Both are read from the installed packages' own data folders; nothing is downloaded.
"""

import io

import matplotlib.cbook
from PIL import Image, ImageEnhance, ImageOps
from skimage import data as skimage_data


def astronaut():
    return Image.fromarray(skimage_data.astronaut())


def grace_hopper():
    with matplotlib.cbook.get_sample_data("grace_hopper.jpg") as handle:
        return Image.open(io.BytesIO(handle.read())).convert("RGB")


def coffee():
    """A cup of coffee on a table: a real photograph with no face in it."""
    return Image.fromarray(skimage_data.coffee())


def encoded(image, fmt="PNG", **options):
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def recoloured(image):
    """Warmer, more saturated and darker, the way a scene's grade changes a face's colours."""
    warm = Image.merge(
        "RGB",
        [
            band.point(lambda v, k=k: min(255, int(v * k)))
            for band, k in zip(image.split(), (1.15, 1.0, 0.8), strict=True)
        ],
    )
    return ImageEnhance.Brightness(ImageEnhance.Color(warm).enhance(1.4)).enhance(0.85)


def cropped(image, box):
    return image.crop(box)


def greyscale(image):
    return ImageOps.grayscale(image).convert("RGB")


def on_wide_canvas(image, width, height, left, top, colour=(200, 210, 220)):
    canvas = Image.new("RGB", (width, height), colour)
    canvas.paste(image, (left, top))
    return canvas
