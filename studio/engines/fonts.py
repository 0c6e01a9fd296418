"""The OFL fonts bundled in static/fonts, by role, for drawing text into images and slides.

Nothing is downloaded at run time; static/fonts/OFL.txt carries the licence and copyright lines.
"""

from functools import lru_cache
from pathlib import Path

from django.conf import settings
from PIL import ImageFont

FONT_DIR = Path(settings.BASE_DIR) / "static" / "fonts"

FONTS = {
    "sans": "Inter-Regular.otf",
    "sans-semibold": "Inter-SemiBold.otf",
    "sans-bold": "Inter-Bold.otf",
    "display": "LeagueSpartan-Bold.otf",
    "serif": "EBGaramond12-Regular.otf",
    "serif-italic": "EBGaramond12-Italic.otf",
}


def font_path(name):
    """The file of a bundled font, by role ("sans", "sans-bold", "display", "serif", …) or by file name."""
    filename = FONTS.get(name, name)
    path = FONT_DIR / filename
    if filename not in FONTS.values() or not path.is_file():
        raise KeyError(f"No bundled font {name!r}; choose one of {', '.join(FONTS)}.")
    return path


@lru_cache(maxsize=64)
def font(name, size):
    """A Pillow font of the bundled face at `size` pixels; cached, since loading a face costs a few ms."""
    return ImageFont.truetype(str(font_path(name)), size)
