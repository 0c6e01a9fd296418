"""The GIN index behind the library's full-text search, on PostgreSQL only (SQLite searches with icontains).

Kept out of the model's Meta so that SQLite, which has no GIN indexes, can still migrate and rebuild tables.
"""

from django.db import migrations

INDEX = "library_asset_search_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON library_asset USING gin (search_vector)")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("library", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
