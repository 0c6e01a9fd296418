"""Prices for today's GPT image models: the product sheet's 1K = 6, 2K = 8, 4K = 12 credits per image at any quality,
and the 2.5 line's extra qualities above that (xhigh ×1.5, max ×2). Operators edit them as any PriceRule."""

from django.db import migrations

DEFAULT_CREDITS = {"1K": 6, "2K": 8, "4K": 12}
EXTRA_QUALITY_CREDITS = {"xhigh": {"1K": 9, "2K": 12, "4K": 18}, "max": {"1K": 12, "2K": 16, "4K": 24}}
# Named here rather than read from the capability table, so this migration seeds the same rows whenever it runs.
NEW_MODELS = (
    "openai:gpt-image-2-2026-04-21",
    "openai:gpt-image-2.5-sunburst",
    "openai:gpt-image-2.5-sunburst-2026-09-08",
    "openai:gpt-image-2.5-flare",
    "openai:gpt-image-2.5-flare-2026-09-08",
    "openai:gpt-image-2.6-sunburst",
    "openai:gpt-image-2.6-flare",
    "openai:chatgpt-image-latest",
)
EXTRA_QUALITY_MODELS = tuple(model_id for model_id in NEW_MODELS if "gpt-image-2.5" in model_id)


def rows():
    for model_id in NEW_MODELS:
        for tier, credits in DEFAULT_CREDITS.items():
            yield model_id, tier, "*", credits
    for model_id in EXTRA_QUALITY_MODELS:
        for quality, by_tier in EXTRA_QUALITY_CREDITS.items():
            for tier, credits in by_tier.items():
                yield model_id, tier, quality, credits
    # The offline engine draws xhigh and max too, free like everything it makes (its "*" rows cover them).


def seed_prices(apps, schema_editor):
    PriceRule = apps.get_model("credits", "PriceRule")
    for model_id, tier, quality, credits in rows():
        # get_or_create: an operator's own price, set before this ran, stays as it is.
        PriceRule.objects.get_or_create(model_id=model_id, tier=tier, quality=quality, defaults={"credits": credits})


def unseed_prices(apps, schema_editor):
    PriceRule = apps.get_model("credits", "PriceRule")
    for model_id, tier, quality, _credits in rows():
        PriceRule.objects.filter(model_id=model_id, tier=tier, quality=quality).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("credits", "0004_credit_requests"),
    ]

    operations = [
        migrations.RunPython(seed_prices, unseed_prices),
    ]
