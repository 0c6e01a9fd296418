from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("generation", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="generationjob",
            name="markup_png",
            field=models.BinaryField(blank=True, editable=False, null=True),
        ),
    ]
