"""Seeds a video price for every row of the video model table, mode and duration: per second of clip by provider
and mode (studio.credits.video_pricing.default_credits); the offline animator is free."""

from django.db import migrations

from studio.credits.video_pricing import default_credits
from studio.engines.video import video_models


def seed_video_prices(apps, schema_editor):
    VideoPriceRule = apps.get_model("credits", "VideoPriceRule")
    for model in video_models().values():
        for mode in model.modes:
            for duration in model.durations:
                # get_or_create: an operator's own price, set before this ran, stays as it is.
                VideoPriceRule.objects.get_or_create(
                    model_id=model.id,
                    mode=mode,
                    duration=duration,
                    defaults={
                        "credits": default_credits(
                            provider=model.provider, model=model.model, mode=mode, duration=duration
                        )
                    },
                )


def unseed_video_prices(apps, schema_editor):
    apps.get_model("credits", "VideoPriceRule").objects.filter(model_id__in=list(video_models())).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("credits", "0006_video_price_rules"),
    ]

    operations = [
        migrations.RunPython(seed_video_prices, unseed_video_prices),
    ]
