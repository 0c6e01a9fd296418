"""What an image costs in credits: size tiers by pixel count and the operators' price rules."""

from studio.credits.models import PriceRule
from studio.engines.capabilities import STANDARD_QUALITIES, image_models, model_label

TIER_1K_MAX_PIXELS = 1_600_000
TIER_2K_MAX_PIXELS = 4_200_000
QUALITIES = ("low", "medium", "high", "xhigh", "max", "auto")  # xhigh and max: the GPT Image 2.5 line
ANY_QUALITY = "*"


class PricingError(ValueError):
    """A request that cannot be priced, with a message fit to show the user."""


class PriceNotConfigured(PricingError):
    def __init__(self, model_id, tier, quality):
        self.model_id, self.tier, self.quality = model_id, tier, quality
        super().__init__(
            f"No price is set for {model_label(model_id)} at {tier} ({quality} quality), so it cannot be used yet. "
            "Ask your operator to add a price rule in the admin."
        )


def tier_for(width, height):
    """The size tier of an image: up to 1.6 MP is 1K, up to 4.2 MP is 2K, anything larger 4K."""
    pixels = width * height
    if pixels <= TIER_1K_MAX_PIXELS:
        return PriceRule.Tier.K1.value
    if pixels <= TIER_2K_MAX_PIXELS:
        return PriceRule.Tier.K2.value
    return PriceRule.Tier.K4.value


def parse_size(size):
    """(width, height) from "WIDTHxHEIGHT", or None for "auto" (which the model picks and prices as 1K)."""
    text = str(size).strip().lower().replace("×", "x")
    if text == "auto":
        return None
    width, sep, height = text.partition("x")
    if not sep or not width.isdigit() or not height.isdigit() or int(width) <= 0 or int(height) <= 0:
        raise PricingError(f"{size!r} is not a size; write it as width×height in pixels, like 1024x1536, or auto.")
    return int(width), int(height)


def tier_for_size(size):
    dimensions = parse_size(size)
    return PriceRule.Tier.K1.value if dimensions is None else tier_for(*dimensions)


def _pick(rules, quality):
    """An exact quality row wins over the "*" row."""
    by_quality = {rule.quality: rule.credits for rule in rules}
    return by_quality.get(quality, by_quality.get(ANY_QUALITY))


def price_per_image(*, model_id, width, height, quality):
    """Credits for one image of `model_id` at this size and quality; PriceNotConfigured when no rule applies."""
    tier = tier_for(width, height)
    rules = PriceRule.objects.filter(model_id=model_id, tier=tier, quality__in=[quality, ANY_QUALITY]).only(
        "quality", "credits"
    )
    credits = _pick(rules, quality)
    if credits is None:
        raise PriceNotConfigured(model_id, tier, quality)
    return credits


def estimate(*, model_id, size, quality, n):
    """Total credits for `n` images; one query at most, since the studio asks on every keystroke."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise PricingError("The number of images must be a whole number of at least 1.")
    dimensions = parse_size(size)
    if dimensions is None:
        # "auto" lets the model choose; every automatic size of today's models falls in the 1K tier.
        dimensions = (1024, 1024)
    return n * price_per_image(model_id=model_id, width=dimensions[0], height=dimensions[1], quality=quality)


def price_table(model_ids):
    """Credits per image for each model × tier × quality, from one query: {model_id: {tier: {quality: credits}}}.

    A cell is None when no rule covers it (the model cannot be used at that tier and quality until one exists).
    Each model lists only the qualities it offers (xhigh and max only where the capability table has them).
    """
    models = image_models()
    rules = {}
    for rule in PriceRule.objects.filter(model_id__in=list(model_ids)).only("model_id", "tier", "quality", "credits"):
        rules.setdefault((rule.model_id, rule.tier), []).append(rule)
    return {
        model_id: {
            tier: {
                quality: _pick(rules.get((model_id, tier), []), quality)
                for quality in QUALITIES
                if quality in (models[model_id].qualities if model_id in models else STANDARD_QUALITIES)
            }
            for tier in PriceRule.Tier.values
        }
        for model_id in model_ids
    }
