"""Videos keep their length: Asset.duration_ms (None for stills)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('library', '0003_asset_title'),
    ]

    operations = [
        migrations.AddField(
            model_name='asset',
            name='duration_ms',
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
    ]
