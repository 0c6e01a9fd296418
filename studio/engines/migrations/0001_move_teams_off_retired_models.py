"""Teams still set to gpt-image-1 (shut down 2026-10-23) or a DALL·E model move to the documented successor,
with an audit entry and an e-mail to their admins (studio.engines.retirement)."""

from django.db import migrations


def move_teams(apps, schema_editor):
    from studio.engines.retirement import teams_move_off_retired_models

    teams_move_off_retired_models(
        Team=apps.get_model("teams", "Team"),
        Membership=apps.get_model("teams", "Membership"),
        AuditEntry=apps.get_model("core", "AuditEntry"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("teams", "0002_audit_entry_moves_to_core"),
        ("core", "0001_audit_entry"),
    ]

    # Forward only: the retired model cannot be used any more, so there is nothing to move back to.
    operations = [migrations.RunPython(move_teams, migrations.RunPython.noop)]
