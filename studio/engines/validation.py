"""Checks an ImageRequest against its model's capability row, with one message per field fit to show beside it.

`validate_request(request)` returns {} when the request is valid, else {field: message} where each field
is the ImageRequest attribute at fault ("prompt", "size", "references", "mask", …). Images are opened by
content with an allow-list of decoders and Pillow's pixel cap, never trusted by name or extension.
"""

import io
import warnings

from PIL import Image

from studio.engines.capabilities import capabilities
from studio.engines.sizes import validate_size

QUALITIES = ("low", "medium", "high", "auto")
OUTPUT_FORMATS = ("png", "jpeg", "webp")
BACKGROUNDS = ("auto", "opaque", "transparent")
MODERATIONS = ("auto", "low")
FIDELITIES = ("low", "high")
MAX_PARTIAL_IMAGES = 3
MAX_IMAGE_BYTES = 50 * 1024 * 1024
MAX_MASK_BYTES = 4 * 1024 * 1024
IMAGE_DECODERS = ("PNG", "JPEG", "WEBP")
DECODER_NAMES = {"PNG": "PNG", "JPEG": "JPEG", "WEBP": "WebP"}


class ImageCheckError(ValueError):
    """An uploaded image that may not be used; the message names the problem."""


def validate_request(request):
    """{field: message} for everything wrong with `request` for its model; {} when it may run."""
    try:
        caps = capabilities(request.model_id)
    except KeyError:
        return {"model_id": "Choose one of the available models."}

    errors = {}
    checks = (
        ("prompt", _check_prompt),
        ("n", _check_n),
        ("quality", _check_quality),
        ("output_format", _check_output_format),
        ("output_compression", _check_compression),
        ("background", _check_background),
        ("moderation", _check_moderation),
        ("input_fidelity", _check_input_fidelity),
        ("partial_images", _check_partial_images),
        ("size", _check_size),
        ("references", _check_references),
        ("mask", _check_mask),
        ("previous_response_id", _check_refinement),
    )
    for field, check in checks:
        message = check(request, caps)
        if message:
            errors[field] = message
    return errors


def _check_prompt(request, caps):
    prompt = request.prompt or ""
    if not prompt.strip():
        return "Write a prompt describing the image."
    if len(prompt) > caps.max_prompt_chars:
        return f"The prompt is {len(prompt):,} characters; {caps.label} takes at most {caps.max_prompt_chars:,}."
    return None


def _check_n(request, caps):
    if not isinstance(request.n, int) or not 1 <= request.n <= caps.max_n:
        return f"Choose between 1 and {caps.max_n} images."
    return None


def _check_quality(request, caps):
    if request.quality not in QUALITIES:
        return "Quality must be low, medium, high or auto."
    return None


def _check_output_format(request, caps):
    if request.output_format not in OUTPUT_FORMATS:
        return "The format must be PNG, JPEG or WebP."
    if request.mask and request.output_format == "jpeg":
        return "A masked edit keeps the untouched pixels exact, so it needs PNG or WebP; JPEG would alter them."
    return None


def _check_compression(request, caps):
    compression = request.output_compression
    if compression is None:
        return None
    if request.output_format not in ("jpeg", "webp"):
        return "Compression applies only to JPEG and WebP; PNG is always lossless."
    if not isinstance(compression, int) or not 0 <= compression <= 100:
        return "Compression must be a whole number from 0 to 100."
    return None


def _check_background(request, caps):
    if request.background not in BACKGROUNDS:
        return "The background must be auto, opaque or transparent."
    if request.background != "transparent":
        return None
    if not caps.transparent_background:
        return f"{caps.label} cannot make transparent backgrounds; choose an opaque background or another model."
    if request.output_format == "jpeg":
        return "A transparent background needs PNG or WebP; JPEG has no transparency."
    return None


def _check_moderation(request, caps):
    if request.moderation not in MODERATIONS:
        return "Moderation must be auto or low."
    return None


def _check_input_fidelity(request, caps):
    if request.input_fidelity is None:
        return None
    if caps.input_fidelity == "always-high":
        return f"{caps.label} always matches input images at high fidelity; leave input fidelity unset."
    if caps.input_fidelity != "low-high":
        return f"{caps.label} has no input fidelity setting; leave it unset."
    if request.input_fidelity not in FIDELITIES:
        return "Input fidelity must be low or high."
    return None


def _check_partial_images(request, caps):
    if not isinstance(request.partial_images, int) or not 0 <= request.partial_images <= MAX_PARTIAL_IMAGES:
        return f"Partial frames can be 0 to {MAX_PARTIAL_IMAGES}."
    return None


def _check_size(request, caps):
    return validate_size(caps.id, request.size)


def _check_references(request, caps):
    references = request.references
    if len(references) > caps.max_references:
        return f"{caps.label} takes at most {caps.max_references} images (this has {len(references)})."
    for number, reference in enumerate(references, start=1):
        try:
            open_checked_image(reference.data, name=reference.name or f"Image {number}")
        except ImageCheckError as error:
            return str(error)
    return None


def _check_mask(request, caps):
    if not request.mask:
        return None
    if not caps.mask:
        return f"{caps.label} does not take masks."
    if not request.references:
        return "A mask needs an image to edit: add the image first."
    if len(request.mask) > MAX_MASK_BYTES:
        return "The mask must be under 4 MB."
    try:
        mask = open_checked_image(request.mask, name="The mask", decoders=("PNG",))
    except ImageCheckError:
        return "The mask must be a PNG image."
    if mask.mode not in ("RGBA", "LA", "PA") and "transparency" not in mask.info:
        return "The mask needs an alpha channel: transparent where the image should change."
    try:
        first = open_checked_image(request.references[0].data, name="The first image")
    except ImageCheckError:
        return None  # reported under "references"
    if mask.size != first.size:
        return (
            f"The mask is {mask.width}×{mask.height} but the first image is {first.width}×{first.height}; "
            "they must be the same size."
        )
    return None


def _check_refinement(request, caps):
    if request.previous_response_id is None:
        return None
    if not str(request.previous_response_id).strip():
        return "Choose the result to refine."
    if request.n != 1:
        return "A refinement makes one image at a time."
    if caps.engine == "local" and not request.references:
        return "To refine with the offline draft engine, include the image being refined."
    return None


def open_checked_image(data, *, name="The image", decoders=IMAGE_DECODERS):
    """The image opened by content (header only) with an allow-list of decoders, or ImageCheckError.

    Refuses files of 50 MB or more, other formats (SVG, HTML, GIF, …), corrupt data, and images with more
    pixels than Image.MAX_IMAGE_PIXELS (decompression bombs), without decoding the pixels.
    """
    if len(data) >= MAX_IMAGE_BYTES:
        raise ImageCheckError(f"{name} is {len(data) / 1024 / 1024:.1f} MB; each image must be under 50 MB.")
    names = [DECODER_NAMES[decoder] for decoder in decoders]
    kinds = " or ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else names[0]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=decoders)
            pixels = image.width * image.height
            if pixels > Image.MAX_IMAGE_PIXELS:
                raise Image.DecompressionBombError(pixels)
            if image.format == "PNG":
                image.verify()  # checks chunk CRCs without decoding pixels
                image = Image.open(io.BytesIO(data), formats=decoders)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageCheckError(f"{name} has too many pixels to open safely.") from None
    except (OSError, SyntaxError, ValueError):
        raise ImageCheckError(f"{name} is not a {kinds} image.") from None
    return image
