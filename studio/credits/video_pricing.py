"""What a video clip costs in credits: the operators' video price rules by model, mode and duration."""

from studio.credits.models import VideoPriceRule
from studio.credits.pricing import PricingError

ANY_MODE = "*"


class VideoPriceNotConfigured(PricingError):
    def __init__(self, label, mode, duration):
        self.mode, self.duration = mode, duration
        super().__init__(
            f"No price is set for {label} ({mode}, {duration} s), so it cannot be used yet. "
            "Ask your operator to add a video price rule in the admin."
        )


def clip_price(*, model_id, mode, duration, label=None):
    """Credits for one clip; an exact mode's rule wins over the `*` rule. VideoPriceNotConfigured when none applies."""
    rules = {
        rule.mode: rule.credits
        for rule in VideoPriceRule.objects.filter(model_id=model_id, duration=duration, mode__in=[mode, ANY_MODE])
    }
    credits = rules.get(mode, rules.get(ANY_MODE))
    if credits is None:
        raise VideoPriceNotConfigured(label or model_id, mode, duration)
    return credits


def clip_prices(keys):
    """{(model_id, mode, duration): credits or None} for many clips from one query (the cost preview's table)."""
    keys = set(keys)
    found = {}
    for rule in VideoPriceRule.objects.filter(model_id__in={key[0] for key in keys}):
        found[(rule.model_id, rule.mode, rule.duration)] = rule.credits
    return {key: found.get(key, found.get((key[0], ANY_MODE, key[2]))) for key in keys}


# Defaults seeded for the video model table: credits per second of clip by provider and mode (an image at 1K is 6).
PER_SECOND = {("kling", "std"): 4, ("kling", "pro"): 7, ("seedance", "*"): 5, ("local", "*"): 0}


def default_credits(*, provider, model, mode, duration):
    """The seeded price of a clip: per second by provider and mode; lite models cost less, the offline animator 0."""
    per_second = PER_SECOND.get((provider, mode), PER_SECOND.get((provider, "*"), 5))
    if "lite" in model or "turbo" in model:
        per_second = max(per_second - 1, 1) if per_second else 0
    return per_second * duration
