"""Builders for the engine tests: real encoded images, masks and requests."""

import io

from PIL import Image, ImageDraw

from studio.engines.types import ImageRequest, ReferenceImage


def image_bytes(size=(1024, 1024), *, colour=(200, 60, 40), mode="RGB", kind="PNG", pattern=True):
    """An encoded image; with `pattern`, stripes and a disc so every region has its own pixels."""
    image = Image.new(mode, size, colour if mode != "RGBA" else (*colour, 255))
    if pattern:
        draw = ImageDraw.Draw(image)
        for x in range(0, size[0], 64):
            draw.rectangle((x, 0, x + 20, size[1]), fill=(30, 90, 200) if mode != "L" else 90)
        draw.ellipse(
            (size[0] // 4, size[1] // 4, size[0] // 2, size[1] // 2), fill=(240, 220, 30) if mode != "L" else 220
        )
    buffer = io.BytesIO()
    image.save(buffer, kind)
    return buffer.getvalue()


def mask_bytes(size=(1024, 1024), *, hole=None, mode="RGBA"):
    """A mask that keeps everything (alpha 255) except `hole` (alpha 0), a (left, top, right, bottom) box."""
    hole = hole or (size[0] // 4, size[1] // 4, size[0] * 3 // 4, size[1] * 3 // 4)
    mask = Image.new(mode, size, (0, 0, 0, 255) if mode == "RGBA" else (0, 0, 0))
    ImageDraw.Draw(mask).rectangle(
        (hole[0], hole[1], hole[2] - 1, hole[3] - 1), fill=(0, 0, 0, 0) if mode == "RGBA" else (255, 255, 255)
    )
    buffer = io.BytesIO()
    mask.save(buffer, "PNG")
    return buffer.getvalue()


def reference(data=None, *, name="", role="object"):
    return ReferenceImage(data=data if data is not None else image_bytes(), role=role, name=name)


def draft_request(**changes):
    fields = {"model_id": "local:draft", "prompt": "A calm product shot", "quality": "low", "partial_images": 0}
    return ImageRequest(**{**fields, **changes})


def openai_request(model="gpt-image-2", **changes):
    fields = {"model_id": f"openai:{model}", "prompt": "A lighthouse at dawn", "quality": "low"}
    return ImageRequest(**{**fields, **changes})


def decode(data):
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def markup_bytes(size=(1024, 1024), *, box=None, mode="RGBA", colour=(230, 40, 40)):
    """Markup as the studio draws it: a clear layer with a coloured box outline (a stroke of 8 px)."""
    box = box or (size[0] // 4, size[1] // 4, size[0] * 3 // 4, size[1] * 3 // 4)
    layer = Image.new(mode, size, (0, 0, 0, 0) if mode == "RGBA" else (255, 255, 255))
    ImageDraw.Draw(layer).rectangle(box, outline=(*colour, 255) if mode == "RGBA" else colour, width=8)
    buffer = io.BytesIO()
    layer.save(buffer, "PNG")
    return buffer.getvalue()
