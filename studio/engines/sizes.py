"""Aspect presets × tiers resolved to concrete sizes each model can make, and custom sizes checked in words.

Everything here reads the capability table's "sizes" rule, so a model with other limits is a row of
configuration. Two kinds of rule exist:

- "fixed": a short list of sizes (GPT Image 1.5 and 1 Mini: 1024×1024, 1536×1024, 1024×1536, plus
  "auto"). Every aspect maps to the listed size whose ratio is closest (4:5 → 1024×1536); only the 1K
  tier exists.
- "custom": any WIDTHxHEIGHT within the limits (GPT Image 2 and the offline draft engine: both edges
  multiples of 16, long edge ≤ 3840, ratio ≤ 3:1, 655,360–8,294,400 pixels). Each aspect × tier resolves
  to the nearest valid size, preferring the exact ratio over an exact pixel count:

  - 1K: about 1 MP (1024² pixels), never above the 1K price band (1.6 MP).
  - 2K: the largest size that is not experimental (up to 2560×1440 = 3,686,400 pixels).
  - 4K: the largest valid size (up to 8,294,400 pixels, long edge ≤ 3840).

  | tier | 1:1 | 16:9 | 4:3 | 3:2 | 4:5 |
  |---|---|---|---|---|---|
  | 1K | 1024×1024 | 1360×768 | 1152×864 | 1248×832 | 896×1120 |
  | 2K | 1920×1920 | 2560×1440 | 2176×1632 | 2304×1536 | 1712×2144 |
  | 4K | 2880×2880 | 3840×2160 | 3312×2480 | 3504×2336 | 2560×3200 |

  Portrait presets are the same sizes turned (9:16 at 4K is 2160×3840).

  Sizes above 2560×1440 pixels are marked experimental, as OpenAI marks them.

Public API, used by the studio form, the generation pipeline and the credits preview:
`size_options(model_id)`, `resolve_size(model_id, aspect, tier)`, `validate_size(model_id, size)`,
`validate_custom_size(model_id, width, height)`, `nearest_size(model_id, ratio, tier)`, `tier_for_size(size)`.
"""

import math
from dataclasses import asdict, dataclass
from fractions import Fraction

from studio.engines.capabilities import capabilities

AUTO = "auto"
ASPECTS = ("auto", "1:1", "4:5", "9:16", "16:9", "4:3", "3:4", "2:3", "3:2")
TIERS = ("1K", "2K", "4K")

# Tier targets in pixels for custom-size models; 4K is "as large as the model allows".
TIER_TARGET_PIXELS = {"1K": 1024 * 1024, "2K": 2560 * 1440}
# A tier never exceeds its cap: 1K stays within the 1K price band, 2K stays out of experimental sizes.
TIER_CAP_PIXELS = {"1K": 1_600_000, "2K": 2560 * 1440}

# Price bands by pixel count (DESIGN.md, Credits): up to 1.6 MP is 1K, up to 4.2 MP is 2K, above is 4K.
PRICE_BAND_PIXELS = (("1K", 1_600_000), ("2K", 4_200_000))

# How much one unit of ratio error weighs against one unit of pixel-count error when picking the
# nearest size: users who pick 4:3 expect exactly 4:3 more than they expect exactly 1 MP.
RATIO_WEIGHT = 10


@dataclass(frozen=True)
class SizeOption:
    """One choice the size picker may offer: an aspect and tier resolved to a concrete size."""

    aspect: str
    tier: str | None  # None for "auto"
    size: str  # "WIDTHxHEIGHT" or "auto"
    experimental: bool = False

    @property
    def dimensions(self):
        return parse_size(self.size)

    @property
    def label(self):
        if self.size == AUTO:
            return "Auto"
        width, height = self.dimensions
        suffix = " (experimental)" if self.experimental else ""
        return f"{self.aspect} · {self.tier} · {width}×{height}{suffix}"

    def as_dict(self):
        return {**asdict(self), "label": self.label}


def parse_size(size):
    """(width, height) for "WIDTHxHEIGHT", None for "auto"; ValueError for anything else."""
    if size == AUTO:
        return None
    try:
        width, height = str(size).lower().split("x")
        return int(width), int(height)
    except ValueError:
        raise ValueError(f"Write the size as WIDTHxHEIGHT, for example 1536x1024 (not {size!r}).") from None


def format_size(width, height):
    return f"{width}x{height}"


def aspect_ratio(aspect):
    """The aspect preset as width / height ("16:9" → 1.777…)."""
    if aspect not in ASPECTS or aspect == AUTO:
        raise ValueError(f"Unknown aspect {aspect!r}; choose one of {', '.join(ASPECTS)}.")
    width, height = aspect.split(":")
    return int(width) / int(height)


def _rule(model_id):
    return capabilities(model_id).sizes


def allows_auto(model_id):
    # OpenAI sizes every model "auto" by default; a row can opt out with "auto": false.
    return bool(_rule(model_id).get("auto", True))


def tiers_for(model_id):
    """The tiers the model can make: fixed-size models have only 1K."""
    return TIERS if _rule(model_id)["mode"] == "custom" else ("1K",)


def is_experimental(model_id, width, height):
    limit = _rule(model_id).get("experimental_above")
    return bool(limit) and width * height > limit[0] * limit[1]


def size_options(model_id):
    """Every aspect × tier the model can make, resolved; what the UI may offer for this model, in order."""
    options = [SizeOption(AUTO, None, AUTO)] if allows_auto(model_id) else []
    for aspect in ASPECTS[1:]:
        for tier in tiers_for(model_id):
            size = resolve_size(model_id, aspect, tier)
            options.append(SizeOption(aspect, tier, size, is_experimental(model_id, *parse_size(size))))
    return options


def resolve_size(model_id, aspect, tier="1K"):
    """The concrete size ("WxH", or "auto") for an aspect preset and tier on this model.

    Raises ValueError, with a sentence fit for the user, for an unknown aspect or a tier the model lacks.
    """
    if aspect == AUTO:
        if not allows_auto(model_id):
            raise ValueError(f"{capabilities(model_id).label} needs an explicit size.")
        return AUTO
    ratio = aspect_ratio(aspect)
    if tier not in TIERS:
        raise ValueError(f"Unknown size tier {tier!r}; choose one of {', '.join(TIERS)}.")
    if tier not in tiers_for(model_id):
        raise ValueError(f"{capabilities(model_id).label} makes only {' and '.join(tiers_for(model_id))} sizes.")
    return nearest_size(model_id, ratio, tier)


def nearest_size(model_id, ratio, tier="1K"):
    """The valid size closest to a width/height ratio at a tier, e.g. to size an edit like its source."""
    rule = _rule(model_id)
    if rule["mode"] == "fixed":
        return min(rule["sizes"], key=lambda size: abs(math.log(_ratio_of(size) / ratio)))
    return format_size(*_nearest_custom(rule, ratio, tier))


def _ratio_of(size):
    width, height = parse_size(size)
    return width / height


def _nearest_custom(rule, ratio, tier):
    step, max_ratio = rule["multiple_of"], rule["max_ratio"]
    ratio = min(max(ratio, 1 / max_ratio), max_ratio)
    cap = min(TIER_CAP_PIXELS.get(tier, rule["max_pixels"]), rule["max_pixels"])
    target = min(TIER_TARGET_PIXELS.get(tier, rule["max_pixels"]), cap)
    # Shrink the target until its long edge fits, so the search below starts near valid sizes.
    long_ratio = max(ratio, 1 / ratio)
    target = max(min(target, rule["max_edge"] ** 2 / long_ratio), rule["min_pixels"])
    ideal_height = math.sqrt(target / ratio)

    best, best_score = None, math.inf
    first = max(step, (math.floor(ideal_height / step) - 8) * step)
    for height in range(first, math.ceil(ideal_height / step) * step + 8 * step + 1, step):
        for width in {math.floor(height * ratio / step) * step, math.ceil(height * ratio / step) * step}:
            if width <= 0 or width * height > cap or _custom_error(rule, width, height):
                continue
            score = RATIO_WEIGHT * abs(math.log(width / height / ratio)) + abs(math.log(width * height / target))
            if score < best_score:
                best, best_score = (width, height), score
    if best is None:
        raise ValueError("No valid size exists for that aspect on this model.")
    return best


def validate_custom_size(model_id, width, height):
    """None when the model can make width × height, else the rule it breaks, in words."""
    caps = capabilities(model_id)
    rule = caps.sizes
    if not isinstance(width, int) or not isinstance(height, int) or width <= 0 or height <= 0:
        return "Width and height must be whole numbers of pixels above zero."
    if rule["mode"] == "fixed":
        if format_size(width, height) in rule["sizes"]:
            return None
        listed = [size.replace("x", "×") for size in rule["sizes"]]
        return f"{caps.label} makes only {', '.join(listed[:-1])} or {listed[-1]} images."
    return _custom_error(rule, width, height)


def _custom_error(rule, width, height):
    step = rule["multiple_of"]
    off = [str(edge) for edge in dict.fromkeys((width, height)) if edge % step]
    if off:
        verb = "is" if len(off) == 1 else "are"
        return f"Both edges must be multiples of {step} ({' and '.join(off)} {verb} not)."
    if max(width, height) > rule["max_edge"]:
        return f"The long edge can be at most {rule['max_edge']} px."
    if max(width, height) / min(width, height) > rule["max_ratio"]:
        return f"The ratio can be at most {ratio_words(rule['max_ratio'])}."
    pixels = width * height
    if not rule["min_pixels"] <= pixels <= rule["max_pixels"]:
        return (
            f"The image must have between {rule['min_pixels']:,} and {rule['max_pixels']:,} pixels "
            f"(this is {pixels:,})."
        )
    return None


def ratio_words(ratio):
    """A ratio as people write it: 3.0 → "3:1", 1.5 → "3:2"."""
    fraction = Fraction(ratio).limit_denominator(10)
    return f"{fraction.numerator}:{fraction.denominator}"


_ratio_words = ratio_words  # the name studio/generation/forms.py first used


def validate_size(model_id, size):
    """None when `size` ("WIDTHxHEIGHT" or "auto") is one the model can make, else a sentence saying why."""
    if size == AUTO:
        return None if allows_auto(model_id) else f"{capabilities(model_id).label} needs an explicit size."
    try:
        width, height = parse_size(size)
    except ValueError as error:
        return str(error)
    return validate_custom_size(model_id, width, height)


def tier_for_size(size):
    """The price band of a size by pixel count ("auto" counts as 1K: automatic sizes stay near 1 MP)."""
    dimensions = parse_size(size)
    if dimensions is None:
        return "1K"
    pixels = dimensions[0] * dimensions[1]
    for tier, limit in PRICE_BAND_PIXELS:
        if pixels <= limit:
            return tier
    return "4K"
