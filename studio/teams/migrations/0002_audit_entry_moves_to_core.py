"""The audit log now lives in studio.core (same table, teams_auditentry); teams forgets the model, keeps the rows.

Its content type follows it, so operators' permissions on audit entries stay granted.
"""

from django.db import migrations


def content_type_to_core(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="core", model="auditentry").exists():
        ContentType.objects.filter(app_label="teams", model="auditentry").update(app_label="core")


def content_type_to_teams(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="teams", model="auditentry").exists():
        ContentType.objects.filter(app_label="core", model="auditentry").update(app_label="teams")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("teams", "0001_initial"),
        ("core", "0001_audit_entry"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuditEntry")],
            database_operations=[],
        ),
        migrations.RunPython(content_type_to_core, content_type_to_teams),
    ]
