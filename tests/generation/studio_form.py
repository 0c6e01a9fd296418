"""The Studio form as a browser posts it, and reading the error slot beside a field, for the view tests."""

import re

HTMX = {"HTTP_HX_REQUEST": "true"}


def studio_form(**overrides):
    data = {
        "prompt": "Three oranges on a marble counter",
        "model_id": "local:draft",
        "aspect": "1:1",
        "tier": "1K",
        "quality": "low",
        "n": "2",
        "output_format": "png",
        "background": "auto",
        "moderation": "auto",
        "partial_images": "3",
        "mask_data": "",
    }
    data.update(overrides)
    return data


def error_slot(page, name):
    """The text of the error slot beside a field (out-of-band or in place)."""
    match = re.search(rf'<p id="err-{name}" class="error"[^>]*>(.*?)</p>', page, re.S)
    return match.group(1).strip() if match else None
