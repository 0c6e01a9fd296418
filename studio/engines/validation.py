"""Checks an ImageRequest against its model's capability row, with one message per field fit to show beside it.

`validate_request(request)` returns {} when the request is valid, else {field: message} where each field
is the ImageRequest attribute at fault ("prompt", "size", "references", "mask", …). Images are opened by
content with an allow-list of decoders and Pillow's pixel cap, never trusted by name or extension.
"""

import io
import warnings

from PIL import Image

from studio.engines.capabilities import COMPLEXITIES, capabilities
from studio.engines.sizes import validate_size

QUALITIES = ("low", "medium", "high", "xhigh", "max", "auto")
OUTPUT_FORMATS = ("png", "jpeg", "webp", "gif", "svg")
FORMAT_NAMES = {"png": "PNG", "jpeg": "JPEG", "webp": "WebP", "gif": "GIF", "svg": "SVG"}
# Formats the provider returns whole, in one answer: no streaming, so no live frames.
UNSTREAMED_FORMATS = ("gif", "svg")
BACKGROUNDS = ("auto", "opaque", "transparent")
MODERATIONS = ("auto", "low")
MAX_PARTIAL_IMAGES = 3
MAX_IMAGE_BYTES = 50 * 1024 * 1024
MAX_MASK_BYTES = 4 * 1024 * 1024
MAX_MARKUP_BYTES = 4 * 1024 * 1024
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
        ("complexity", _check_complexity),
        ("partial_images", _check_partial_images),
        ("size", _check_size),
        ("references", _check_references),
        ("mask", _check_mask),
        ("markup", _check_markup),
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


def _words(values, last="or"):
    values = list(values)
    return values[0] if len(values) == 1 else f"{', '.join(values[:-1])} {last} {values[-1]}"


def _check_quality(request, caps):
    if request.quality in caps.qualities:
        return None
    if request.quality in QUALITIES:
        return f"{caps.label} does not offer {request.quality} quality; choose {_words(caps.qualities)}."
    return f"Quality must be {_words(caps.qualities)}."


def _check_output_format(request, caps):
    output_format = request.output_format
    if output_format not in caps.output_formats:
        allowed = _words([FORMAT_NAMES[f] for f in caps.output_formats])
        if output_format in OUTPUT_FORMATS:
            return f"{caps.label} cannot make {FORMAT_NAMES[output_format]}; choose {allowed}."
        return f"The format must be {allowed}."
    if request.mask and output_format == "jpeg":
        return "A masked edit keeps the untouched pixels exact, so it needs PNG or WebP; JPEG would alter them."
    if request.mask and output_format in UNSTREAMED_FORMATS:
        return f"A masked edit cannot be made as {FORMAT_NAMES[output_format]}; choose PNG or WebP."
    if output_format == "svg" and request.n != 1:
        return "SVG makes one image at a time; set the number of images to 1."
    return None


def _check_compression(request, caps):
    compression = request.output_compression
    if compression is None:
        return None
    if request.output_format not in ("jpeg", "webp"):
        if request.output_format == "png":
            return "Compression applies only to JPEG and WebP; PNG is always lossless."
        name = FORMAT_NAMES.get(request.output_format, "this format")
        return f"Compression applies only to JPEG and WebP, not to {name}."
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
    if request.output_format not in ("png", "webp"):
        if request.output_format == "jpeg":
            return "A transparent background needs PNG or WebP; JPEG has no transparency."
        return "A transparent background needs PNG or WebP."
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
    if not caps.fidelities:
        return f"{caps.label} has no input fidelity setting; leave it unset."
    if request.input_fidelity not in caps.fidelities:
        if len(caps.fidelities) == 1:
            return f"{caps.label} takes input fidelity {caps.fidelities[0]} only."
        return "Input fidelity must be low or high."
    return None


def _check_complexity(request, caps):
    if request.complexity is None:
        return None
    if not caps.complexity:
        return f"{caps.label} has no thinking mode; leave Thinking off or choose another model."
    if request.complexity not in COMPLEXITIES:
        return "Thinking must be off, low, medium or high."
    return None


def _check_partial_images(request, caps):
    if not isinstance(request.partial_images, int) or not 0 <= request.partial_images <= MAX_PARTIAL_IMAGES:
        return f"Partial frames can be 0 to {MAX_PARTIAL_IMAGES}."
    if request.partial_images and request.output_format in UNSTREAMED_FORMATS:
        name = FORMAT_NAMES[request.output_format]
        return f"{name} arrives in one piece, with no live frames; set partial frames to 0."
    if request.partial_images and not caps.streaming:
        return f"{caps.label} does not stream live frames; set partial frames to 0."
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


def _check_markup(request, caps):
    if not request.markup:
        return None
    if not caps.markup:
        return f"{caps.label} does not take markup; choose a GPT Image 2.5 model or remove the markup."
    if request.mask:
        return "Use either a mask or markup, not both: remove one of them."
    if not request.references:
        return "Markup is drawn over an image: add Image 1 first."
    if request.previous_response_id:
        return "Markup guides an edit of Image 1; it cannot go with a refinement."
    if len(request.markup) > MAX_MARKUP_BYTES:
        return "The markup must be under 4 MB."
    try:
        markup = open_checked_image(request.markup, name="The markup", decoders=("PNG",))
    except ImageCheckError:
        return "The markup must be a PNG image; clear it and draw it again."
    if markup.mode not in ("RGBA", "LA", "PA") and "transparency" not in markup.info:
        return "The markup needs transparency: draw on a clear layer over Image 1."
    try:
        first = open_checked_image(request.references[0].data, name="The first image")
    except ImageCheckError:
        return None  # reported under "references"
    if markup.size != first.size:
        return (
            f"The markup is {markup.width}×{markup.height} but Image 1 is {first.width}×{first.height}; "
            "draw it again on Image 1."
        )
    return markup_coverage_error(markup)


def markup_coverage_error(markup):
    """A message when the markup is empty or covers Image 1 completely; the API needs some of each."""
    alpha = markup.convert("RGBA").getchannel("A")
    low, high = alpha.getextrema()
    if high == 0:
        return "The markup is empty: draw a stroke, arrow, box or label on Image 1."
    if low > 0:
        return "The markup must leave most of Image 1 clear; it covers the whole image."
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
