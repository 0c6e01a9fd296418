"""Factories for generation jobs and the images they start from."""

import io

import factory
from PIL import Image, ImageDraw

from studio.generation.models import GenerationJob
from tests.factories import TeamFactory


class GenerationJobFactory(factory.django.DjangoModelFactory):
    """A job row as submit leaves it (queued, nothing held); set status and fields for other states."""

    class Meta:
        model = GenerationJob

    team = factory.SubFactory(TeamFactory)
    model_id = "local:draft"
    prompt = factory.Sequence(lambda n: f"A lighthouse at dusk, take {n}")
    params = factory.LazyFunction(
        lambda: {
            "size": "1024x1024",
            "aspect": "1:1",
            "tier": "1K",
            "quality": "low",
            "n": 1,
            "output_format": "png",
            "output_compression": None,
            "background": "auto",
            "moderation": "auto",
            "partial_images": 2,
            "input_fidelity": None,
        }
    )
    seed = 7


def source_png(width=640, height=512):
    """A photo-like PNG with structure everywhere, so an unchanged pixel is a real check."""
    red = Image.linear_gradient("L").resize((width, height))
    green = Image.radial_gradient("L").resize((width, height))
    blue = Image.linear_gradient("L").rotate(90).resize((width, height))
    image = Image.merge("RGB", (red, green, blue))
    draw = ImageDraw.Draw(image)
    draw.ellipse([width // 5, height // 5, width // 2, height // 2], fill=(250, 210, 40))
    for x in range(0, width, 24):
        draw.line([x, 0, width - x, height], fill=(x % 256, 40, 200), width=2)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def mask_png(width, height, box):
    """An RGBA mask the size of the source: alpha 0 inside `box` (what may change), 255 elsewhere."""
    mask = Image.new("RGBA", (width, height), (0, 0, 0, 255))
    ImageDraw.Draw(mask).rectangle(box, fill=(0, 0, 0, 0))
    buffer = io.BytesIO()
    mask.save(buffer, "PNG")
    return buffer.getvalue()
