"""composite_through_mask: what the mask keeps is the source's, pixel for pixel."""

import io

import pytest
from PIL import Image, ImageChops

from studio.engines.compositing import composite_through_mask
from tests.engines.factories import decode, image_bytes, mask_bytes

pytestmark = pytest.mark.django_db

HOLE = (100, 120, 300, 260)


def kept_region_differences(source, output, mask):
    """The bounding box of pixels that differ where the mask's alpha is 255 (None when there are none)."""
    keep = decode(mask).convert("RGBA").getchannel("A").point(lambda alpha: 255 if alpha == 255 else 0)
    difference = ImageChops.difference(decode(source).convert("RGBA"), decode(output).convert("RGBA"))
    return Image.composite(difference, Image.new("RGBA", difference.size), keep).getbbox(alpha_only=False)


def test_pixels_the_mask_keeps_are_the_sources_exactly():
    source = image_bytes((400, 300))
    result = image_bytes((400, 300), colour=(10, 200, 90), pattern=False)
    mask = mask_bytes((400, 300), hole=HOLE)

    output = composite_through_mask(source, result, mask)

    assert kept_region_differences(source, output, mask) is None
    assert decode(output).getpixel((200, 200)) == (10, 200, 90)


def test_a_result_of_another_size_is_fitted_to_the_source():
    source = image_bytes((400, 300))
    mask = mask_bytes((400, 300), hole=HOLE)

    output = composite_through_mask(source, image_bytes((1024, 1024), colour=(0, 0, 255), pattern=False), mask)

    assert decode(output).size == (400, 300)
    assert kept_region_differences(source, output, mask) is None
    assert decode(output).getpixel((200, 200)) == (0, 0, 255)


def test_a_jpeg_source_stays_exact_in_the_kept_region():
    source = image_bytes((400, 300), kind="JPEG")
    mask = mask_bytes((400, 300), hole=HOLE)

    output = composite_through_mask(source, image_bytes((400, 300), colour=(9, 9, 9)), mask)

    assert kept_region_differences(source, output, mask) is None


def test_lossless_webp_keeps_the_pixels_too():
    source = image_bytes((400, 300))
    mask = mask_bytes((400, 300), hole=HOLE)

    output = composite_through_mask(source, image_bytes((400, 300), colour=(9, 9, 9)), mask, output_format="webp")

    assert decode(output).format == "WEBP"
    assert kept_region_differences(source, output, mask) is None


def test_half_transparent_mask_pixels_blend_source_and_result():
    source = image_bytes((10, 10), colour=(200, 0, 0), pattern=False)
    result = image_bytes((10, 10), colour=(0, 0, 200), pattern=False)
    mask = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 0, 128)).save(mask, "PNG")

    red, green, blue = decode(composite_through_mask(source, result, mask.getvalue())).getpixel((5, 5))

    assert 90 <= red <= 110 and 90 <= blue <= 110 and green == 0


def test_it_refuses_jpeg_output_which_would_alter_the_kept_pixels():
    with pytest.raises(ValueError, match="not JPEG"):
        composite_through_mask(image_bytes((8, 8)), image_bytes((8, 8)), mask_bytes((8, 8)), output_format="jpeg")
