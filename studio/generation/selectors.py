"""Reads for the Studio: checking and pricing a request before it runs, jobs, threads and recent results."""

import base64
import secrets
from dataclasses import dataclass, field

from django.db.models import Prefetch

from library.models import STILLS, Asset
from studio.credits.pricing import PricingError, estimate
from studio.credits.selectors import wallet_for
from studio.credits.services import InsufficientCredits
from studio.engines import sizes
from studio.engines.capabilities import OFFLINE_MODEL_ID, image_models
from studio.engines.types import ImageRequest, ReferenceImage
from studio.engines.validation import (
    UNSTREAMED_FORMATS,
    ImageCheckError,
    markup_coverage_error,
    open_checked_image,
    validate_request,
)
from studio.generation.models import REFERENCE_ROLES, GenerationJob, JobOutput
from studio.teams.crypto import KeyStoreError
from studio.teams.scoping import scoped
from studio.teams.selectors import provider_key_for

ROLE_VALUES = [value for value, _ in REFERENCE_ROLES]
CUSTOM_ASPECT = "custom"
DEFAULTS = {
    "aspect": "1:1",
    "tier": "1K",
    "quality": "auto",
    "n": 1,
    "output_format": "png",
    "background": "auto",
    "moderation": "auto",
    "partial_images": 3,
}
MAX_SEED = 2**31 - 1
# What a result may be made as here: what the library keeps of a model's output. It keeps an animated GIF whole and
# an SVG as it came (served only as a sandboxed download, shown through <img> or its raster); a format outside this
# list would be refused before anything is spent.
KEEPABLE_FORMATS = ("png", "jpeg", "webp", "gif", "svg")
FORMAT_NAMES = {"gif": "GIF", "svg": "SVG"}
THREAD_MAX_DEPTH = 50
# ImageRequest attributes reported under another name on the form.
FIELD_ALIASES = {"previous_response_id": "prompt", "mask": "mask", "markup": "markup", "size": "size"}


@dataclass
class GenerationCheck:
    """A request checked against the team, the model's capabilities and the price list; nothing is saved."""

    errors: dict = field(default_factory=dict)
    model_id: str = ""
    prompt: str = ""
    params: dict = field(default_factory=dict)
    references: list = field(default_factory=list)  # [{"asset_id": …, "role": …}]
    reference_assets: list = field(default_factory=list)
    mask: bytes | None = None
    markup: bytes | None = None
    seed: int = 0
    cost: int | None = None
    per_image: int | None = None
    balance: int = 0
    parent: GenerationJob | None = None
    parent_asset: Asset | None = None
    masked_size: tuple | None = None  # (w, h) of Image 1 when a mask or markup forces the output size

    @property
    def ok(self):
        return not self.errors

    @property
    def size_dimensions(self):
        size = self.params.get("size")
        if not size or size == sizes.AUTO:
            return None
        try:
            return sizes.parse_size(size)
        except ValueError:
            return None

    @property
    def size_experimental(self):
        dimensions = self.size_dimensions
        return bool(dimensions and self.model_id) and sizes.is_experimental(self.model_id, *dimensions)


def allowed_model_ids(team):
    """The models the team may use, in the capability table's order; the offline engine is always there."""
    allowed = set(team.allowed_models or []) | {OFFLINE_MODEL_ID}
    return [model_id for model_id in image_models() if model_id in allowed]


def default_model_id(team):
    allowed = allowed_model_ids(team)
    return team.active_model if team.active_model in allowed else allowed[0]


def _int(value, *, default=None):
    if value in (None, ""):
        return default
    if isinstance(value, bool):
        raise ValueError
    return int(value)


def _resolve_size(caps, data, errors):
    """(size, aspect, tier) from an explicit size, a custom width × height, or an aspect preset × tier."""
    if data.get("size"):
        size = str(data["size"]).strip().lower().replace("×", "x")
        return size, data.get("aspect") or "", data.get("tier") or ""
    aspect = data.get("aspect") or DEFAULTS["aspect"]
    tier = data.get("tier") or DEFAULTS["tier"]
    if aspect == CUSTOM_ASPECT:
        try:
            width, height = _int(data.get("width")), _int(data.get("height"))
        except (TypeError, ValueError):
            width = height = None
        if not width or not height:
            errors["size"] = "Enter a width and a height in pixels."
            return None, aspect, tier
        message = sizes.validate_custom_size(caps.id, width, height)
        if message:
            errors["size"] = message
            return None, aspect, tier
        return sizes.format_size(width, height), aspect, tier
    if aspect == sizes.AUTO:
        tier = ""
    try:
        return sizes.resolve_size(caps.id, aspect, tier or "1K"), aspect, tier
    except ValueError as error:
        errors["size"] = str(error)
        return None, aspect, tier


def _references(team, data, errors):
    """The referenced assets of the team, in order, each with a role; errors name the image at fault."""
    wanted = []
    for number, item in enumerate(data.get("references") or [], start=1):
        role = (item.get("role") or "object").strip().lower()
        if role not in ROLE_VALUES:
            errors["references"] = f"Image {number}: choose identity, style, object or environment as its role."
            return [], []
        try:
            wanted.append((int(item["asset_id"]), role))
        except (KeyError, TypeError, ValueError):
            errors["references"] = f"Image {number} is not an image from the library."
            return [], []
    found = {asset.pk: asset for asset in scoped(Asset, team).filter(pk__in=[pk for pk, _ in wanted])}
    assets = []
    for number, (pk, _role) in enumerate(wanted, start=1):
        asset = found.get(pk)
        if asset is None:
            errors["references"] = f"Image {number} is no longer in the library; remove it and add it again."
            return [], []
        if not asset.is_still:
            errors["references"] = f"Image {number} ({asset.name}) is not a PNG, JPEG or WebP image."
            return [], []
        assets.append(asset)
    return [{"asset_id": pk, "role": role} for pk, role in wanted], assets


def decode_png(value, *, label="mask"):
    """The PNG bytes of a mask or markup sent as a data URL or plain base64 by the studio; None when empty."""
    if not value:
        return None
    if isinstance(value, bytes):
        return value
    text = str(value).strip()
    if text.startswith("data:"):
        _, _, text = text.partition(",")
    try:
        return base64.b64decode(text, validate=True)
    except (ValueError, TypeError):
        action = "paint it" if label == "mask" else "draw it"
        raise ValueError(f"The {label} could not be read; clear it and {action} again.") from None


def decode_mask(value):
    return decode_png(value, label="mask")


def _mask_errors(caps, mask, assets, output_format):
    """The mask checked against Image 1's stored size, without reading the image itself."""
    if not caps.mask:
        return f"{caps.label} does not take masks."
    if not assets:
        return "A mask needs an image to edit: add the image first."
    try:
        image = open_checked_image(mask, name="The mask", decoders=("PNG",))
    except ImageCheckError:
        return "The mask must be a PNG image; clear it and paint it again."
    if image.mode not in ("RGBA", "LA", "PA") and "transparency" not in image.info:
        return "The mask needs an alpha channel: transparent where the image should change."
    first = assets[0]
    if first.width and first.height and image.size != (first.width, first.height):
        return (
            f"The mask is {image.width}×{image.height} but Image 1 is {first.width}×{first.height}; "
            "paint the mask again on Image 1."
        )
    if output_format == "jpeg":
        return "A masked edit keeps the untouched pixels exact, so it needs PNG or WebP; JPEG would alter them."
    return None


def unkeepable_format_message(output_format):
    name = FORMAT_NAMES.get(output_format, output_format)
    return (
        f"{name} results cannot be kept yet: the library holds PNG, JPEG and WebP stills only. "
        "Choose PNG, JPEG or WebP."
    )


def _markup_errors(caps, check, output_format):
    """The markup checked against Image 1's stored size, without reading the image itself."""
    if not caps.markup:
        return f"{caps.label} does not take markup; choose a GPT Image 2.5 model or remove the markup."
    if check.mask:
        return "Use either a mask or markup, not both: remove one of them."
    if not check.reference_assets:
        return "Markup is drawn over an image: add Image 1 first."
    try:
        image = open_checked_image(check.markup, name="The markup", decoders=("PNG",))
    except ImageCheckError:
        return "The markup must be a PNG image; clear it and draw it again."
    if image.mode not in ("RGBA", "LA", "PA") and "transparency" not in image.info:
        return "The markup needs transparency: draw on a clear layer over Image 1."
    first = check.reference_assets[0]
    if first.width and first.height and image.size != (first.width, first.height):
        return (
            f"The markup is {image.width}×{image.height} but Image 1 is {first.width}×{first.height}; "
            "draw it again on Image 1."
        )
    return markup_coverage_error(image)


def generation_check(*, team, data, load_images=False):
    """Check `data` (the Studio form or an API body) for `team`: validate, then (with load_images) open every
    image, then price. Nothing is saved.

    The Studio asks on every keystroke, so by default images are checked by their library records only; the
    submit opens their bytes as well. Each step is its own function: generation_validate, generation_images,
    generation_price.
    """
    check = generation_validate(team=team, data=data)
    if load_images and check.model_id:
        generation_images(check)
    generation_price(check, preview=not load_images)
    return check


def generation_validate(*, team, data):
    """Step 1: `data` parsed and checked against the team and the model's capabilities, without image bytes.

    Reference images, the mask and the markup are checked by their library records (Image 1's stored size);
    their pixels are left to generation_images.
    """
    check = GenerationCheck(balance=wallet_for(team).balance)
    errors = check.errors
    models = image_models()
    model_id = data.get("model_id") or default_model_id(team)
    if model_id not in models:
        errors["model_id"] = "Choose one of the available models."
        return check
    caps = models[model_id]
    if model_id not in allowed_model_ids(team):
        errors["model_id"] = f"{caps.label} is not enabled for {team.name}; an admin can enable it under Team → Models."
        return check
    check.model_id = model_id
    if not caps.is_offline:
        try:
            if not provider_key_for(team=team, provider=caps.provider):
                errors["model_id"] = (
                    f"{caps.label} needs an OpenAI key; an admin can add one under Team → Provider keys."
                )
        except KeyStoreError:
            errors["model_id"] = f"The team's {caps.provider} key cannot be read; an admin should set it again."

    check.prompt = str(data.get("prompt") or "")
    check.references, check.reference_assets = _references(team, data, errors)
    for name, label in (("mask", "mask"), ("markup", "markup")):
        try:
            setattr(check, name, decode_png(data.get(name), label=label))
        except ValueError as error:
            errors[name] = str(error)

    size, aspect, tier = _resolve_size(caps, data, errors)
    first = check.reference_assets[0] if check.reference_assets else None
    if (check.mask or check.markup) and first is not None and first.width:
        # A masked or marked-up edit keeps Image 1's size; the engine is asked for the nearest size it can make.
        check.masked_size = (first.width, first.height)
        tier = sizes.tier_for_size(sizes.format_size(first.width, first.height))
        tier = tier if tier in sizes.tiers_for(model_id) else "1K"
        size = sizes.nearest_size(model_id, first.width / first.height, tier)
        errors.pop("size", None)

    numbers = {}
    for name in ("n", "output_compression", "partial_images", "seed"):
        try:
            numbers[name] = _int(data.get(name), default=DEFAULTS.get(name))
        except (TypeError, ValueError):
            errors[name] = "Enter a whole number."
            numbers[name] = DEFAULTS.get(name)
    output_format = data.get("output_format") or DEFAULTS["output_format"]
    compression = numbers["output_compression"] if output_format in ("jpeg", "webp") else None
    fidelity = (data.get("input_fidelity") or None) if caps.fidelities else None
    partial_images = numbers["partial_images"]
    if output_format in UNSTREAMED_FORMATS:
        partial_images = 0  # GIF and SVG arrive whole; the form says so beside the format
    check.params = {
        "size": size or "",
        "aspect": aspect,
        "tier": tier,
        "quality": data.get("quality") or DEFAULTS["quality"],
        "n": numbers["n"],
        "output_format": output_format,
        "output_compression": compression,
        "background": data.get("background") or DEFAULTS["background"],
        "moderation": data.get("moderation") or DEFAULTS["moderation"],
        "partial_images": partial_images,
        "input_fidelity": fidelity,
        "complexity": data.get("complexity") or None,
    }
    if check.markup:
        check.params["markup"] = True
    check.parent = data.get("parent")
    check.parent_asset = data.get("parent_asset")
    if isinstance(data.get("influencer_version"), int):  # the picker's version id, checked by influencers/
        check.params["influencer_version"] = data["influencer_version"]
    if data.get("previous_response_id"):
        check.params["previous_response_id"] = data["previous_response_id"]
    seed = numbers["seed"]
    check.seed = seed if seed is not None and 0 <= seed <= MAX_SEED else secrets.randbelow(MAX_SEED)
    if seed is not None and not 0 <= seed <= MAX_SEED:
        errors["seed"] = f"The seed must be between 0 and {MAX_SEED:,}."

    if output_format in caps.output_formats and output_format not in KEEPABLE_FORMATS:
        errors["output_format"] = unkeepable_format_message(output_format)

    # The request without image bytes: the mask and markup are checked against Image 1's record below.
    request = image_request(check)
    # Without the bytes the request has no images; what depends on them is checked by generation_images.
    needs_images = {"previous_response_id"} if check.references else set()
    for name, message in validate_request(request).items():
        if name not in needs_images:
            errors.setdefault(FIELD_ALIASES.get(name, name), message)
    if len(check.references) > caps.max_references:
        errors.setdefault(
            "references",
            f"{caps.label} takes at most {caps.max_references} images (this has {len(check.references)}).",
        )
    if check.mask and "mask" not in errors:
        message = _mask_errors(caps, check.mask, check.reference_assets, output_format)
        if message:
            errors["mask"] = message
    if check.markup and "markup" not in errors:
        message = _markup_errors(caps, check, output_format)
        if message:
            errors["markup"] = message
    return check


def generation_images(check):
    """Step 2: the referenced images' bytes, opened and checked with the mask and markup; returns them.

    Adds to check.errors what only the pixels can tell (a corrupt file, a mask of another size than Image 1).
    """
    if "references" in check.errors or not check.reference_assets:
        references = ()
    else:
        from library.selectors import asset_bytes

        references = tuple(
            ReferenceImage(data=asset_bytes(asset), role=item["role"], name=f"Image {number}")
            for number, (asset, item) in enumerate(zip(check.reference_assets, check.references, strict=True), 1)
        )
    request = image_request(check, references=references, mask=check.mask, markup=check.markup)
    for name, message in validate_request(request).items():
        check.errors.setdefault(FIELD_ALIASES.get(name, name), message)
    return references


def generation_price(check, *, preview=True):
    """Step 3: the exact cost in credits; a preview also says when the balance falls short.

    Only a preview compares with the balance: a submit asks the wallet itself (credits_reserve), which has the
    last word.
    """
    errors = check.errors
    size = check.params.get("size")
    if not check.model_id or not size or {"size", "quality", "n"} & errors.keys():
        return check
    try:
        check.cost = estimate(model_id=check.model_id, size=size, quality=check.params["quality"], n=check.params["n"])
        check.per_image = check.cost // check.params["n"]
    except PricingError as error:
        errors["credits"] = str(error)
    if preview and check.cost and check.cost > check.balance:
        errors["credits"] = str(InsufficientCredits(check.cost, check.balance))
    return check


def image_request(check_or_job, *, references=(), mask=None, markup=None, user=""):
    """The ImageRequest for a check or a stored job, with the given image bytes."""
    params = check_or_job.params
    n = params.get("n") or 1
    return ImageRequest(
        model_id=check_or_job.model_id,
        prompt=check_or_job.prompt,
        size=params.get("size") or "auto",
        quality=params.get("quality") or "auto",
        n=n if isinstance(n, int) else 1,
        output_format=params.get("output_format") or "png",
        output_compression=params.get("output_compression"),
        background=params.get("background") or "auto",
        moderation=params.get("moderation") or "auto",
        partial_images=params.get("partial_images") if isinstance(params.get("partial_images"), int) else 0,
        input_fidelity=params.get("input_fidelity"),
        complexity=params.get("complexity") or None,
        references=tuple(references),
        mask=mask,
        markup=markup,
        seed=check_or_job.seed,
        previous_response_id=params.get("previous_response_id"),
        # A single image may be refined later; OpenAI then answers through the Responses API with an id.
        refinable=n == 1 and not markup,
        user=user,
    )


# Jobs -------------------------------------------------------------------------------------------------------


def with_outputs(jobs):
    return jobs.select_related("user").prefetch_related(
        Prefetch("job_outputs", queryset=JobOutput.objects.select_related("asset").order_by("position"))
    )


def job_for(team, job_uuid):
    return with_outputs(scoped(GenerationJob, team)).filter(uuid=job_uuid).first()


def job_outputs(job):
    return [output.asset for output in job.job_outputs.all()]


def recent_jobs(team, *, limit=16):
    return list(
        with_outputs(scoped(GenerationJob, team)).defer("mask_png", "markup_png").order_by("-submitted_at")[:limit]
    )


def job_history(team, *, status="", model_id="", user_id=None):
    jobs = with_outputs(scoped(GenerationJob, team)).defer("mask_png", "markup_png", "latest_frame")
    if status:
        jobs = jobs.filter(status=status)
    if model_id:
        jobs = jobs.filter(model_id=model_id)
    if user_id:
        jobs = jobs.filter(user_id=user_id)
    return jobs.order_by("-submitted_at", "-id")


def job_thread(job):
    """The refinement chain that ends at `job`: the original first, then each refinement."""
    chain, seen, current = [job], {job.pk}, job
    while current.parent_id and len(chain) < THREAD_MAX_DEPTH:
        parent = with_outputs(scoped(GenerationJob, job.team_id)).filter(pk=current.parent_id).first()
        if parent is None or parent.pk in seen:
            break
        chain.append(parent)
        seen.add(parent.pk)
        current = parent
    return list(reversed(chain))


def job_for_asset(team, asset):
    """The job that produced `asset`, if the Studio made it."""
    output = scoped(JobOutput, team).select_related("job").filter(asset=asset).first()
    return output.job if output else None


def reference_assets(team, references):
    """The assets behind a job's references, in order, with their roles; missing ones are left out."""
    ids = [item["asset_id"] for item in references]
    found = scoped(Asset, team).in_bulk(ids)
    return [(found[item["asset_id"]], item["role"]) for item in references if item["asset_id"] in found]


def picker_assets(team, *, limit=24):
    """Recent images of the team for the reference picker."""
    return list(scoped(Asset, team).filter(STILLS).order_by("-created_at", "-id")[:limit])


def latest_job(team, user, *, team_wide=False):
    """What the Studio shows when it opens: the user's newest job, or with team_wide the team's newest."""
    jobs = with_outputs(scoped(GenerationJob, team)).order_by("-submitted_at")
    mine = jobs.filter(user=user).first()
    return mine or (jobs.first() if team_wide else None)


def job_models(team):
    """Models the history can be filtered by: the team's allowed ones and any its jobs used."""
    used = set(scoped(GenerationJob, team).values_list("model_id", flat=True).distinct())
    return [model_id for model_id in image_models() if model_id in used or model_id in allowed_model_ids(team)]
