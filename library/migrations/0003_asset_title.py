"""Assets get titles: the name field reads "title", and generated images named after a slug of their prompt
("make-the-background-blue-and-change-the-text-to--1") get the prompt's first words instead."""

import re

from django.db import migrations, models
from django.utils.text import slugify


def title_from_prompt(prompt, number=None):
    """Asset.title_from_prompt as of this migration, frozen here so later changes to it cannot change history."""
    text = " ".join(str(prompt or "").replace('"', " ").replace("“", " ").replace("”", " ").split())
    chosen = text.split(" ")[:8]
    while len(chosen) > 1 and len(" ".join(chosen)) > 60:
        chosen.pop()
    title = " ".join(chosen)[:60].rstrip(" ,;:.-–—")
    if len(title) < len(text.rstrip(" .")):
        title += "…"
    title = title[:1].upper() + title[1:]
    return f"{title} ({number})" if number else title


def retitle_slug_names(apps, schema_editor):
    Asset = apps.get_model("library", "Asset")
    changed = []
    for asset in Asset.objects.filter(source="generated").only("pk", "name", "provenance").iterator():
        provenance = asset.provenance if isinstance(asset.provenance, dict) else {}
        prompt = provenance.get("prompt")
        if not prompt:
            continue
        slug = slugify(prompt)[:48] or "image"
        match = re.fullmatch(re.escape(slug) + r"-(\d+)", asset.name)
        if not match:
            continue  # someone gave it a title of their own
        parameters = provenance.get("parameters") if isinstance(provenance.get("parameters"), dict) else {}
        several = isinstance(parameters.get("n"), int) and parameters["n"] > 1
        asset.name = title_from_prompt(prompt, number=int(match[1]) if several else None)[:200]
        changed.append(asset)
    Asset.objects.bulk_update(changed, ["name"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0002_search_gin_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="asset",
            name="name",
            field=models.CharField(max_length=200, verbose_name="title"),
        ),
        migrations.RunPython(retitle_slug_names, migrations.RunPython.noop),
    ]
