"""Seeds the product sheet's default prices: 1K = 6, 2K = 8, 4K = 12 credits per image; the offline engine is free."""

from django.db import migrations

from studio.engines.capabilities import DEFAULT_IMAGE_MODELS, OFFLINE_MODEL_ID

DEFAULT_CREDITS = {"1K": 6, "2K": 8, "4K": 12}


def seed_prices(apps, schema_editor):
    PriceRule = apps.get_model("credits", "PriceRule")
    for model_id in DEFAULT_IMAGE_MODELS:
        for tier, credits in DEFAULT_CREDITS.items():
            # get_or_create: an operator's own price, set before this ran, stays as it is.
            PriceRule.objects.get_or_create(
                model_id=model_id,
                tier=tier,
                quality="*",
                defaults={"credits": 0 if model_id == OFFLINE_MODEL_ID else credits},
            )


def unseed_prices(apps, schema_editor):
    PriceRule = apps.get_model("credits", "PriceRule")
    PriceRule.objects.filter(model_id__in=list(DEFAULT_IMAGE_MODELS), quality="*").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("credits", "0002_ledger_goes_with_its_team"),
    ]

    operations = [
        migrations.RunPython(seed_prices, unseed_prices),
    ]
